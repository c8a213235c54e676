"""Reading a dossier request from free text: which request it is, values already given, short
answers with a fixed meaning, and corrections. Dutch words come from content/dossier_forms.yml."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.dossiers.references import ALPHABET, RANDOM_LENGTH
from bot.paths import DEFAULT_CONTENT_DIR
from bot.validators import (
    Invalid,
    Valid,
    ValidationResult,
    parse_period,
    validate_email,
    validate_enterprise_number,
    validate_phone,
    validate_surface,
)

DEFAULT_PATH = DEFAULT_CONTENT_DIR / "dossier_forms.yml"
_REFERENCE = re.compile(
    rf"\b([A-Za-z]{{2,5}})\s*-\s*(\d{{4}})\s*-\s*([{ALPHABET}{ALPHABET.lower()}]{{{RANDOM_LENGTH}}})\b")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\d+])(?:\+32|0032|0)[\d ./-]{7,14}\d")
_ENTERPRISE = re.compile(r"(?i)\b(?:BE\s*)?[01]\d{3}[ .]?\d{3}[ .]?\d{3}\b")
_SURFACE = re.compile(r"(?i)\b(\d+(?:[.,]\d+)?)\s*(m2|m²|vierkante\s+meters?|vierkante\s+m)\b")
_NUMBER = re.compile(r"\d{1,3}(?:[.\s]\d{3})+|\d+")
_DATE_WORD = re.compile(r"\d|januari|februari|maart|april|mei|juni|juli|augustus|september|"
                        r"oktober|november|december")
_TRAILING = " \t\n.,;:!?"


@dataclass(frozen=True)
class IntakeWords:
    """Everything from content/dossier_forms.yml, ready to match."""

    types: Mapping[str, Mapping[str, Any]]
    request_patterns: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    fields: Mapping[str, Mapping[str, Any]]
    formats: Mapping[str, str]
    phrases: Mapping[str, frozenset[str]]
    correction_words: tuple[str, ...]
    question_starts: frozenset[str]
    place_words: tuple[str, ...]
    street_words: tuple[str, ...]
    visitor_words: tuple[str, ...]
    buttons: Mapping[str, str]
    person_patterns: tuple[re.Pattern[str], ...] = ()
    # what carries the thread into a form (bot/dossiers/intake/carry.py)
    carry: Mapping[str, Any] = field(default_factory=dict)
    # "terug", "vorige vraag", "dat was fout": go back one question
    back_patterns: tuple[re.Pattern[str], ...] = ()


def _phrase_kind(key: object) -> str:
    # YAML 1.1 reads an unquoted `yes:` / `no:` key as a boolean; an officer should not have to
    # know that, so both spellings mean the same phrase list.
    if isinstance(key, bool):
        return "yes" if key else "no"
    return str(key)


def parse_intake(data: Mapping[str, Any]) -> IntakeWords:
    patterns = tuple(
        (str(key), tuple(re.compile(p, re.IGNORECASE) for p in regexes))
        for key, regexes in data.get("request_patterns") or ())
    prefill = data.get("prefill") or {}
    return IntakeWords(
        types=dict(data.get("types") or {}),
        request_patterns=patterns,
        fields=dict(data.get("fields") or {}),
        formats=dict(data.get("formats") or {}),
        phrases={_phrase_kind(kind): frozenset(normalise(p) for p in items)
                 for kind, items in (data.get("phrases") or {}).items()},
        correction_words=tuple(data.get("correction_words") or ()),
        question_starts=frozenset(data.get("question_starts") or ()),
        place_words=tuple(prefill.get("place_words") or ()),
        street_words=tuple(prefill.get("street_words") or ()),
        visitor_words=tuple(prefill.get("visitor_words") or ()),
        buttons=dict(data.get("buttons") or {}),
        person_patterns=tuple(re.compile(p, re.IGNORECASE)
                              for p in data.get("person_patterns") or ()),
        carry=dict(data.get("carry") or {}),
        back_patterns=tuple(re.compile(p, re.IGNORECASE)
                            for p in data.get("back_patterns") or ()),
    )


@lru_cache(maxsize=4)
def load_intake(path: Path = DEFAULT_PATH) -> IntakeWords:
    with path.open(encoding="utf-8") as handle:
        return parse_intake(yaml.safe_load(handle) or {})


def normalise(text: str) -> str:
    """Lower case, single spaces, no punctuation at the ends."""
    return " ".join((text or "").lower().replace("’", "'").split()).strip(_TRAILING)


def detect_request(text: str, words: IntakeWords) -> str | None:
    """The dossier type or knowledge topic a message asks for (first matching pattern)."""
    for key, patterns in words.request_patterns:
        if any(pattern.search(text or "") for pattern in patterns):
            return key
    return None


def asks_for_person(text: str, words: IntakeWords) -> bool:
    """The owner asks for a person in their own words ("kan ik iemand spreken over mijn
    aanvraag?"), whatever the classifier made of it."""
    return any(pattern.search(text or "") for pattern in words.person_patterns)


def field_label(words: IntakeWords, slot: str, dossier_type: str | None = None) -> str:
    """What a field is called to the owner: the dossier type's own label, else the field's."""
    own = ((words.types.get(dossier_type or "") or {}).get("labels") or {}).get(slot)
    return str(own or (words.fields.get(slot) or {}).get("label") or slot)


def wants_back(text: str, words: IntakeWords) -> bool:
    """"terug", "vorige vraag", "nee wacht, dat was fout": back to the previous question."""
    value = " ".join(re.sub(r"[^\w\s'-]", " ", normalise(text)).split())
    return any(pattern.search(value) for pattern in words.back_patterns)


def phrase_is(text: str, kind: str, words: IntakeWords) -> bool:
    return normalise(text) in words.phrases.get(kind, frozenset())


def looks_like_question(text: str, words: IntakeWords) -> bool:
    value = (text or "").strip()
    if value.endswith("?"):
        return True
    first = normalise(value).split(" ", 1)[0] if value else ""
    return first in words.question_starts


def _matches(word: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}", text) is not None


def mentioned_field(text: str, words: IntakeWords, candidates: Iterable[str]) -> str | None:
    """The field the message names (longest matching word wins), among `candidates`."""
    value = normalise(text)
    best, best_length = None, 0
    for slot in candidates:
        for word in (words.fields.get(slot) or {}).get("words") or ():
            if len(word) > best_length and _matches(word.lower(), value):
                best, best_length = slot, len(word)
    return best


def wants_correction(text: str, words: IntakeWords) -> bool:
    value = f" {normalise(text)} "
    return any(word in value for word in words.correction_words)


def find_reference(text: str) -> str | None:
    """A dossier reference anywhere in the text, upper-cased (`ovl-2026-k7m4qx` too)."""
    match = _REFERENCE.search(text or "")
    if match is None:
        return None
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}".upper()


def parse_count(text: str) -> ValidationResult[int]:
    """A whole number of people: "300", "ongeveer 1.500 bezoekers", "250 man"."""
    value = (text or "").strip()
    if not value:
        return Invalid("count_empty")
    match = _NUMBER.search(value)
    if match is None:
        return Invalid("count_format")
    number = int(re.sub(r"[.\s]", "", match.group(0)))
    if number <= 0:
        return Invalid("count_not_positive")
    return Valid(number)


def _first_valid(pattern: re.Pattern[str], text: str, validator: Any) -> Any | None:
    for match in pattern.finditer(text):
        result = validator(match.group(0))
        if isinstance(result, Valid):
            return result.value
    return None


def _period(text: str, today: date) -> dict[str, str] | None:
    """The longest explicit date or date range in the text ("van 1 tot 3 mei", "15/06")."""
    tokens = text.split()
    for size in range(min(len(tokens), 8), 0, -1):
        for start in range(len(tokens) - size + 1):
            window = " ".join(tokens[start:start + size]).strip(_TRAILING)
            if not _DATE_WORD.search(window.lower()):
                continue
            result = parse_period(window, today)
            if isinstance(result, Valid):
                return result.value.as_dict()
    return None


def _place(text: str, words: IntakeWords) -> str | None:
    nouns = "|".join(re.escape(w) for w in words.place_words)
    if not nouns:
        return None
    match = re.search(
        rf"(?i)\b(?:op|aan|in)\s+((?:de|het|den)\s+[\w-]*(?:{nouns})[\w-]*"
        rf"(?:\s+(?:van|in|te)\s+[A-Z][\w-]+)?)", text)
    return match.group(1) if match else None


def _address(text: str, words: IntakeWords) -> str | None:
    suffixes = "|".join(re.escape(w) for w in words.street_words)
    if not suffixes:
        return None
    match = re.search(rf"(?i)\b[\w'-]*(?:{suffixes})\s+\d+[a-z]?(?:\s*,?\s*\d{{4}}\s+[A-Z][\w-]+)?",
                      text)
    return match.group(0) if match else None


def _visitors(text: str, words: IntakeWords) -> int | None:
    nouns = "|".join(re.escape(w) for w in words.visitor_words)
    if not nouns:
        return None
    match = re.search(rf"(?i)(\d{{1,3}}(?:[.\s]\d{{3}})+|\d+)\s+(?:{nouns})\b", text)
    return int(re.sub(r"[.\s]", "", match.group(1))) if match else None


def prefill_values(text: str, words: IntakeWords, today: date) -> dict[str, Any]:
    """Values a start message already contains, keyed by slot name; only valid values."""
    found: dict[str, Any] = {
        "dossier_email": _first_valid(_EMAIL, text, validate_email),
        "dossier_phone": _first_valid(_PHONE, text, validate_phone),
        "dossier_enterprise_number": _first_valid(_ENTERPRISE, text, validate_enterprise_number),
        "dossier_location": _place(text, words),
        "dossier_address": _address(text, words),
        "dossier_expected_visitors": _visitors(text, words),
        "dossier_period": _period(text, today),
    }
    surface = _SURFACE.search(text)
    if surface is not None:
        result = validate_surface(surface.group(0))
        found["dossier_surface"] = result.value if isinstance(result, Valid) else None
    return {slot: value for slot, value in found.items() if value is not None}
