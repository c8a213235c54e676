"""Dutch texts of the web pages, loaded from content/web.yml (officers can edit them)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml


@lru_cache(maxsize=4)
def load_texts(path: Path) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of text ids to Dutch texts")
    return {str(key): str(value) for key, value in data.items()}
