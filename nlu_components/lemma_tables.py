"""Dutch lemmas without a tagger, from spacy-lookups-data's tables (pure Python, no Rasa).

spaCy's Dutch rule lemmatizer needs a part of speech that the offline blank pipeline cannot give.
Here every candidate part of speech is tried and a rule's result is only accepted when the lemma
index of that part of speech knows it; otherwise the lookup table, then the word itself.
Order: lookup table, irregular forms (exceptions), known lemma, suffix rules checked against the
index, optionally a Snowball stem for words none of the tables knows (compounds, typos).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import Any

import snowballstemmer

# Verbs first: the short question words of owners ("mag", "moet", "kost") are verbs; nouns next.
CANDIDATE_POS = ("verb", "noun", "adj")
MIN_PART = 4  # shortest head and tail of a compound
MAX_STEPS = 4


def _table(name: str) -> Any:
    path = resources.files("spacy_lookups_data") / "data" / f"nl_{name}.json.gz"
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        return json.load(text)


class DutchLemmaTables:
    """Lemma of a lower-cased Dutch word; `fallback` handles words no table knows."""

    def __init__(self, fallback: Callable[[str], str] | None = None) -> None:
        self._lookup: dict[str, str] = _table("lemma_lookup")
        self._exceptions: dict[str, dict[str, list[str]]] = _table("lemma_exc")
        self._index: dict[str, set[str]] = {pos: set(words)
                                            for pos, words in _table("lemma_index").items()}
        self._rules: dict[str, list[list[str]]] = _table("lemma_rules")
        self._fallback = fallback
        self.lemma = lru_cache(maxsize=65536)(self._lemma)

    def known(self, word: str) -> bool:
        return any(word in words for words in self._index.values())

    def _lemma(self, word: str) -> str:
        word = word.lower()
        if not word.isalpha():
            return word
        # Applied until nothing changes, so "aangevraagd" -> "aanvragen" -> "aanvraag" meets the
        # lemma of "aanvragen": verb and noun forms of one word share a feature. The tables hold
        # cycles (aanvraag <-> aanvragen); a cycle ends on its shortest member.
        seen = [word]
        lemma: str | None = word
        while len(seen) <= MAX_STEPS:
            lemma = self._known_lemma(word) or self._compound_lemma(word)
            if lemma is None or lemma == word:
                break
            if lemma in seen:
                cycle = seen[seen.index(lemma):]
                return min(cycle, key=lambda form: (len(form), form))
            seen.append(lemma)
            word = lemma
        if lemma is None and self._fallback and len(seen) == 1:
            return self._fallback(word)
        return word

    def _known_lemma(self, word: str) -> str | None:
        looked_up = self._lookup.get(word)
        if looked_up:
            return looked_up
        for pos in CANDIDATE_POS:
            irregular = self._exceptions.get(pos, {}).get(word)
            if irregular:
                return irregular[0]
        if self.known(word):
            return word
        for pos in CANDIDATE_POS:
            index = self._index.get(pos, set())
            for old, new in self._rules.get(pos, []):
                if old and word.endswith(old):
                    form = word[: len(word) - len(old)] + new
                    if form and form in index:
                        return form
        return None

    def _compound_lemma(self, word: str) -> str | None:
        """Dutch compounds ("terrasvergunningen") take the lemma of their longest known tail."""
        for start in range(MIN_PART, len(word) - MIN_PART + 1):
            tail = word[start:]
            lemma = self._known_lemma(tail)
            if lemma is not None:
                return word[:start] + lemma
        return None


def snowball_dutch() -> Callable[[str], str]:
    stemmer = snowballstemmer.stemmer("dutch")
    return lambda word: str(stemmer.stemWord(word))
