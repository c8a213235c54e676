"""Cleaning of raw user text before it reaches NLU: HTML and scripts stripped, control
characters removed, very long messages cut, and empty or emoji-only input recognised."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

MAX_CHARS = 1000
_SCRIPT = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]{0,500}>")
_SPACE = re.compile(r"\s+")
_COMMAND = re.compile(r"/[a-z_]{2,60}(\{[^<>\n]{0,400}\})?")

InputKind = Literal["text", "empty", "no_words", "command"]


@dataclass(frozen=True)
class CleanInput:
    text: str
    kind: InputKind
    truncated: bool


def _has_word_characters(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in text)


def clean_user_text(raw: object, max_chars: int = MAX_CHARS) -> CleanInput:
    text = raw if isinstance(raw, str) else ""
    if _COMMAND.fullmatch(text.strip()):
        return CleanInput(text.strip(), "command", truncated=False)  # button payload
    text = _SCRIPT.sub(" ", text[: max_chars * 20])
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    text = _SPACE.sub(" ", text).strip()
    if text.startswith("/"):
        text = text.lstrip("/ ").strip()  # a typed slash must not become an intent command
    truncated = len(text) > max_chars
    if truncated:
        cut = text[:max_chars]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut
    if not text:
        return CleanInput("", "empty", truncated)
    if not _has_word_characters(text):
        return CleanInput(text, "no_words", truncated)
    return CleanInput(text, "text", truncated)
