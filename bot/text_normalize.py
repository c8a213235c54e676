"""Folding and tokenising of free text for name lookups: case, accents, hyphens and apostrophes
are ignored, "St"/"St." becomes "sint", and every token keeps its span in the original text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_TOKEN = re.compile(r"[a-z0-9]+")
_ABBREVIATIONS = {"st": "sint"}


class _FoldTable(dict[int, str]):
    """str.translate table mapping every character to exactly one character, so that
    offsets in the folded text are offsets in the original text."""

    def __missing__(self, codepoint: int) -> str:
        base = unicodedata.normalize("NFKD", chr(codepoint))
        base = "".join(ch for ch in base if not unicodedata.combining(ch)).lower()
        folded = base[0] if base and base[0].isalnum() and base[0].isascii() else " "
        self[codepoint] = folded
        return folded


_FOLD = _FoldTable()


@dataclass(frozen=True)
class Token:
    text: str  # folded form used for lookups
    start: int  # span in the original text
    end: int


def fold(text: str) -> str:
    """Lowercase ASCII letters and digits; everything else becomes a space (same length)."""
    return text.translate(_FOLD)


def tokenize(text: str) -> list[Token]:
    folded = fold(text)
    return [
        Token(_ABBREVIATIONS.get(m.group(), m.group()), m.start(), m.end())
        for m in _TOKEN.finditer(folded)
    ]


def name_key(name: str) -> str:
    """The lookup key of a name: its folded tokens joined by single spaces."""
    return " ".join(token.text for token in tokenize(name))


def deletes(word: str, max_distance: int) -> set[str]:
    """All strings obtained by deleting up to max_distance characters (symmetric-delete index)."""
    result = {word}
    frontier = {word}
    for _ in range(max_distance):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        result |= frontier
    return result


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of two neighbours counts as one edit);
    returns limit + 1 as soon as the distance is known to exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[len(b)]
