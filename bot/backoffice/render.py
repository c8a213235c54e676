"""HTML of the dossier pages, rendered exactly like the rest of the console
(bot/handoff/web/render.py): `string.Template` files, every value escaped unless it is already
rendered HTML, substitution once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from string import Template
from typing import Any

from bot.handoff.web.render import Safe, escape, join
from bot.webcore.texts import load_texts

TEMPLATES = Path(__file__).parent / "templates"

__all__ = ["Safe", "escape", "join", "render", "texts"]


@lru_cache(maxsize=32)
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def render(template: str, /, **values: Any) -> Safe:
    return Safe(_template(template).substitute({key: escape(v) for key, v in values.items()}))


def texts() -> dict[str, str]:
    return load_texts(TEMPLATES / "texts.yml")
