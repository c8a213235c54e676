"""Dutch texts of the messaging channels (content/channels.yml), loaded on first use."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from connectors.settings import rasa_settings

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("choose_by_number", "officer_prefix", "officer_unknown")


@lru_cache(maxsize=2)
def load_channel_texts(path: Path) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or any(not isinstance(data.get(key), str) for key in KEYS):
        raise ValueError(f"{path}: expected the texts {', '.join(KEYS)}")
    return {key: data[key] for key in KEYS}


def channel_texts() -> dict[str, str]:
    content = rasa_settings().content_dir
    return load_channel_texts(content / "channels.yml")
