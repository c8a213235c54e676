"""Cleaning of raw user text before it reaches NLU: HTML and scripts stripped, control
characters removed, very long messages cut, and empty or emoji-only input recognised.

HTML is removed by the `nh3` sanitizer (a real HTML parser, ammonia), not by regular
expressions. Entities are decoded *before* cleaning (repeatedly, so `&amp;lt;` cannot smuggle a
tag through), and the plain text that comes out never contains `<` or `>`: what is stored in the
tracker, transcripts and the officer console cannot be a tag, whatever the encoding."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import nh3

MAX_CHARS = 1000
_DECODE_ROUNDS = 4
# Elements whose content is code or markup, never words of the owner: removed with their content.
_DROP_CONTENT = {"script", "style", "title", "textarea", "noscript", "xmp", "iframe", "noembed",
                 "noframes", "template", "svg", "math", "object", "embed", "plaintext"}
_ANGLE = re.compile(r"[<>]")
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


def _decode_entities(text: str) -> str:
    for _ in range(_DECODE_ROUNDS):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def strip_html(text: str) -> str:
    """Plain text of `text`: entities decoded, every tag (and script/style content) removed by
    nh3, and no angle bracket left. Tags are replaced by a space so words do not run together."""
    text = _decode_entities(text).replace("<", " <")
    text = nh3.clean(text, tags=set(), clean_content_tags=_DROP_CONTENT, attributes={},
                     strip_comments=True)
    return _ANGLE.sub(" ", html.unescape(text))


def clean_user_text(raw: object, max_chars: int = MAX_CHARS) -> CleanInput:
    text = raw if isinstance(raw, str) else ""
    if _COMMAND.fullmatch(text.strip()):
        return CleanInput(text.strip(), "command", truncated=False)  # button payload
    text = strip_html(text[: max_chars * 20])
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
