"""Keep the thread into a dossier form: what the owner already said about this request (in the
message that starts it and in the questions that led to it) fills the form's questions, so the
form does not ask them again and the summary shows them for confirmation.

Only what a form asks is carried; a detail no question takes (the place of a terrace, the kind
of business) goes, in the owner's own words, into the form's free explanation when it has one.
Dutch words and patterns come from content/dossier_forms.yml (`carry:`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.dossiers.intake.words import IntakeWords, detect_request, prefill_values

SURE = 0.8
# Intents of messages that only add details to the request being discussed.
DETAIL_INTENTS = frozenset({"inform", "inform_municipality", "start_dossier", "affirm"})
DESCRIPTION = "dossier_description"
_NAME = r"[A-Z'][\w'&.-]*(?:\s+(?:[A-Z'][\w'&.-]*|van|de|den|der|het|en|&)){0,4}"
_QUOTED = r"[\"'‘“]([^\"'‘’“”]{2,60})[\"'’”]"
_END = r"(?=[.,;!?]|\s+(?:op|in|aan|te|voor|vanaf|van|en|maar)\b|$)"


@dataclass(frozen=True)
class Said:
    """One message of the owner, as the tracker recorded it."""

    text: str
    intent: str | None = None
    confidence: float = 0.0


def thread(messages: Sequence[Said], keys: Iterable[str], words: IntakeWords) -> list[str]:
    """The texts of the current thread, newest first: the newest message, then older ones that
    ask about this request (its topic intent or its words) or only add details ("ik zit in
    Lokeren"). A message about another request ends the thread."""
    wanted = set(keys)
    topic_intents = {f"ask_{key}" for key in wanted}
    texts: list[str] = []
    for index, said in enumerate(messages):
        text = said.text.strip()
        if not text or text.startswith("/"):
            continue
        named = detect_request(text, words)
        if index == 0:
            texts.append(text)
            continue
        intent = said.intent or ""
        if named is not None and named not in wanted:
            break
        if named in wanted or intent in topic_intents:
            texts.append(text)
            continue
        if intent.startswith("ask_") and said.confidence >= SURE:
            break
        if intent in DETAIL_INTENTS:
            texts.append(text)
    return texts


def _setting(words: IntakeWords, key: str) -> Any:
    return (words.carry or {}).get(key)


def _alternatives(items: Iterable[str]) -> str:
    return "|".join(re.escape(item) for item in items)


def _first_group(patterns: Iterable[str], text: str) -> str | None:
    for pattern in patterns:
        match = re.search(pattern, text, re.IGNORECASE)
        if match is not None:
            value = (match.group(1) if match.groups() else match.group(0)).strip(" ,.;:!?")
            if len(value) >= 2:
                return value
    return None


def _purpose(text: str, words: IntakeWords) -> str | None:
    nouns = _alternatives(_setting(words, "purpose_words") or ())
    if not nouns:
        return None
    match = re.search(rf"(?i)\b(?:(?:een|de|het|twee|drie|\d+)\s+(?:[a-zë]+e\s+)?)?"
                      rf"(?:{nouns})[\w-]*", text)
    return match.group(0) if match else None


def _named(text: str, nouns: Iterable[str], is_place: Callable[[str], bool]) -> str | None:
    """A name after a noun: quoted ("café 'De Hoek'"), introduced ("mijn zaak heet De Hoek")
    or written with capitals right after it ("frituur Het Pleintje")."""
    alternatives = _alternatives(nouns)
    if not alternatives:
        return None
    for pattern in (rf"(?i:\b(?:{alternatives}))\s*(?:(?i:heet|genaamd|met de naam)\s+)?{_QUOTED}",
                    rf"(?i:\b(?:{alternatives}))[\w-]*\s+(?i:heet|genaamd|met de naam|noemt)\s+"
                    rf"({_NAME})",
                    rf"(?i:\b(?:{alternatives}))\s+({_NAME})"):
        for match in re.finditer(pattern, text):
            name = match.group(1).strip(" ,.;:!?")
            if len(name) >= 2 and not is_place(name):
                return name
    return None


def _has_kind(text: str, words: IntakeWords) -> bool:
    nouns = _alternatives(_setting(words, "business_nouns") or ())
    return bool(nouns) and re.search(rf"(?i)\b(?:{nouns})\b", text) is not None


def details(text: str, words: IntakeWords, today: date,
            is_place: Callable[[str], bool]) -> dict[str, Any]:
    """Every value one message states, keyed by slot (only valid values)."""
    found: dict[str, Any] = dict(prefill_values(text, words, today))
    extra = {
        "dossier_purpose": _purpose(text, words),
        "dossier_products": _first_group(_setting(words, "products_patterns") or (), text),
        "dossier_business_name": _named(text, _setting(words, "business_nouns") or (), is_place),
        "dossier_event_name": _named(text, _setting(words, "event_nouns") or (), is_place),
        "dossier_takeover": _first_group(_setting(words, "takeover_patterns") or (), text),
    }
    found.update({slot: value for slot, value in extra.items() if value})
    period = found.get("dossier_period")
    if isinstance(period, Mapping) and period.get("start") == period.get("end"):
        found["dossier_opening_date"] = period["start"]
    return found


def _leftover(text: str, found: Mapping[str, Any], fields: Sequence[str],
              words: IntakeWords) -> bool:
    """The message says something about the request that no question of the form takes."""
    place_lost = "dossier_location" in found and "dossier_location" not in fields
    return place_lost or _has_kind(text, words)


def carried_values(texts: Sequence[str], fields: Sequence[str], words: IntakeWords,
                   today: date, is_place: Callable[[str], bool] = lambda _: False
                   ) -> dict[str, Any]:
    """The values of the form's fields the thread states (the newest message wins)."""
    values: dict[str, Any] = {}
    notes: list[str] = []
    for text in texts:
        found = details(text, words, today, is_place)
        for slot, value in found.items():
            if slot in fields:
                values.setdefault(slot, value)
        if _leftover(text, found, fields, words) and text not in notes:
            notes.append(text)
    template = _setting(words, "description")
    if DESCRIPTION in fields and DESCRIPTION not in values and notes and template:
        own_words = " ".join(reversed(notes))
        values[DESCRIPTION] = str(template).format(text=own_words)[:2000]
    if "dossier_period" in fields:
        values.pop("dossier_opening_date", None)
    return {slot: value for slot, value in values.items() if slot in fields}
