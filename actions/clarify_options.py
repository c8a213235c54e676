"""What a clarification offers: the likeliest meanings of a message as buttons. Shared by the
clarification itself and by the answers that continue it (a place given instead of a choice)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rasa_sdk import Tracker

from actions.services import services

FALLBACK_INTENT = "nlu_fallback"
MAX_OPTIONS = 3
MIN_CONFIDENCE = 0.05
NOT_OFFERED = {FALLBACK_INTENT, "out_of_scope", "affirm", "deny", "unclear_input", "greet",
               "goodbye", "thank", "inform_municipality"}


def label_for(intent: str) -> str | None:
    topic = services().catalog.for_intent(intent)
    if topic is not None:
        return topic.title
    return services().ui_labels.get("intent_labels", {}).get(intent)


def buttons_for(ranking: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    buttons: list[dict[str, str]] = []
    for ranked in ranking:
        name, confidence = ranked.get("name"), float(ranked.get("confidence") or 0.0)
        if not isinstance(name, str) or name in NOT_OFFERED or confidence < MIN_CONFIDENCE:
            continue
        label = label_for(name)
        if label and all(b["title"] != label for b in buttons):
            buttons.append({"title": label, "payload": f"/{name}"})
        if len(buttons) == MAX_OPTIONS:
            break
    return buttons


def open_clarification(tracker: Tracker) -> list[dict[str, str]]:
    """The options we offered for the owner's previous message, when that message was not
    understood and the current one did not pick one: the question is still open."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    if len(users) < 2:
        return []
    previous = users[-2].get("parse_data") or {}
    if (previous.get("intent") or {}).get("name") != FALLBACK_INTENT:
        return []
    return buttons_for(previous.get("intent_ranking") or [])
