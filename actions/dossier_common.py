"""Shared pieces of the dossier actions: content, form specs, the owner's message, routing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet

from actions.services import services
from bot.dossiers.dossier_types import DossierType
from bot.dossiers.intake.form_flow import Message, wants_person
from bot.dossiers.intake.forms import FORM_STATE_SLOTS, TYPE_SLOT, FormSpec, spec_from_domain
from bot.dossiers.intake.words import IntakeWords
from bot.routing import route

HUMAN_ACTION = "action_request_human"


def intake() -> IntakeWords:
    return services().intake


def dossier_types() -> Mapping[str, DossierType]:
    return services().dossier_types


def type_info(dossier_type: str | None) -> dict[str, Any]:
    return dict(intake().types.get(dossier_type or "") or {})


def type_title(dossier_type: str | None) -> str:
    return str(type_info(dossier_type).get("title", dossier_type or ""))


def spec_for(domain: dict[str, Any], dossier_type: str | None) -> FormSpec | None:
    if not dossier_type:
        return None
    return spec_from_domain(domain, dossier_type, dossier_types())


def message_from(tracker: Tracker) -> Message:
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    entities: dict[str, Any] = {}
    for entity in latest.get("entities") or []:
        entities.setdefault(str(entity.get("entity")), entity.get("value"))
    return Message(text=str(latest.get("text") or ""), intent=intent.get("name"),
                   confidence=float(intent.get("confidence") or 0.0), entities=entities)


def hand_over_after_form(tracker: Tracker) -> list[EventType] | None:
    """The form ended because the owner asked for a person: go to the hand-off now instead of
    saying the request was stopped (nothing was submitted; the hand-off takes it from here)."""
    if not wants_person(message_from(tracker), intake()):
        return None
    return [FollowupAction(HUMAN_ACTION)]


def municipality_name(nis: str) -> str | None:
    found = services().registry.get(str(nis))
    return found.name if found is not None else None


def route_dossier(dossier_type: str, nis: str | None) -> Any:
    """The counter that handles this dossier type for the municipality."""
    topic = services().catalog.get(type_info(dossier_type).get("topic"))
    municipality = services().registry.get(str(nis)) if nis else None
    return route(services().tenant, topic.id if topic else None,
                 topic.authority_level if topic else None, municipality)


def counter_name(counter_id: str | None) -> str | None:
    try:
        return str(services().tenant.counter(str(counter_id)).name)
    except KeyError:
        return None


def clear_form_events(keep_type: bool = False) -> list[EventType]:
    """Forget every answer of the form (after submitting or stopping)."""
    events: list[EventType] = [SlotSet(slot, None) for slot in FORM_STATE_SLOTS]
    return events if keep_type else [*events, SlotSet(TYPE_SLOT, None)]


def events_since_user(tracker: Tracker) -> list[dict[str, Any]]:
    events = list(tracker.events or [])
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "user":
            return events[index + 1:]
    return events


def activated_now(tracker: Tracker, form: str) -> bool:
    """The form is being activated in this turn (Rasa marks it active before validating)."""
    return any(e.get("event") == "active_loop" and e.get("name") == form
               for e in events_since_user(tracker))


def fresh_answer(tracker: Tracker, form: str) -> bool:
    """The form runs right after the owner's message (not after another action answered it)."""
    actions = [e.get("name") for e in events_since_user(tracker) if e.get("event") == "action"]
    return all(name == form for name in actions)
