"""HTML for the officer console: every value is escaped unless it is already rendered HTML.

Templates are `string.Template` files; owner text can never become markup because values are
escaped before substitution and substitution happens once."""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path
from string import Template
from typing import Any

TEMPLATES = Path(__file__).parent / "templates"


class Safe(str):
    """Already-escaped HTML."""


def escape(value: Any) -> Safe:
    if isinstance(value, Safe):
        return value
    return Safe(html.escape("" if value is None else str(value), quote=True))


@lru_cache(maxsize=32)
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def render(template: str, /, **values: Any) -> Safe:
    return Safe(_template(template).substitute({key: escape(v) for key, v in values.items()}))


def join(parts: list[Safe]) -> Safe:
    return Safe("".join(parts))
