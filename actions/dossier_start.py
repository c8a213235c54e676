"""Starting a dossier: from a knowledge answer's button (`/start_dossier{"dossier_type": ...}`),
from a message naming the request, or from the topic just discussed. Values the owner already
gave (in this message or in the question that led here) are filled in and not asked again.
Where the official application happens elsewhere, the owner gets that link instead."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.dossier_common import (
    intake,
    message_from,
    municipality_name,
    spec_for,
    type_info,
    type_title,
)
from actions.knowledge import answer_topic
from actions.location import Location, locate
from actions.services import services
from bot.contract import contract_from_slots
from bot.dossiers.intake.carry import Said, carried_values, thread
from bot.dossiers.intake.forms import CONFIRM, MUNICIPALITY, TYPE_SLOT, FormSpec, filled
from bot.dossiers.intake.summary import summary_text
from bot.dossiers.intake.words import detect_request
from bot.validators import today_in_brussels

RECENT_MESSAGES = 5


def requested_key(tracker: Tracker) -> str | None:
    """A dossier type or topic id: the button's entity, the message text, the current topic."""
    message = message_from(tracker)
    chosen = message.entities.get("dossier_type")
    if chosen:
        return str(chosen)
    if not message.is_payload:
        detected = detect_request(message.text, intake())
        if detected:
            return detected
    return tracker.get_slot("topic")


def said_before(tracker: Tracker) -> list[Said]:
    """The owner's messages, newest first, back to the end of an earlier form (what was said
    inside another request is not carried into this one)."""
    messages: list[Said] = []
    for event in reversed(tracker.events or []):
        if event.get("event") == "active_loop":
            break
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        messages.append(Said(str(event.get("text") or ""), intent.get("name"),
                             float(intent.get("confidence") or 0.0)))
        if len(messages) >= RECENT_MESSAGES:
            break
    return messages


def is_place(name: str) -> bool:
    return services().registry.resolve(name).status in ("found", "ambiguous")


def prefill(tracker: Tracker, spec: FormSpec, location: Location) -> dict[str, Any]:
    """What the thread already says, for the questions not answered yet."""
    keys = {spec.dossier_type, str(type_info(spec.dossier_type).get("topic", spec.dossier_type))}
    texts = thread(said_before(tracker), keys, intake())
    values = carried_values(texts, spec.fields, intake(), today_in_brussels(), is_place)
    nis = location.nis or tracker.get_slot("nis")
    if nis:
        values[MUNICIPALITY] = nis
    return {slot: value for slot, value in values.items()
            if slot in spec.fields and tracker.get_slot(slot) is None}


class ActionStartDossier(SafeAction):
    def name(self) -> str:
        return "action_start_dossier"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        services().dossiers.wake()
        key = requested_key(tracker)
        spec = spec_for(domain, key)
        if spec is not None:
            return self._start(dispatcher, tracker, spec)
        topic = services().catalog.get(key)
        if topic is not None and topic.dossier_type:
            spec = spec_for(domain, topic.dossier_type)
            if spec is not None:
                return self._start(dispatcher, tracker, spec)
        contract = contract_from_slots(tracker.slots)
        if topic is not None and topic.external_application is not None:
            link = topic.external_application
            label = services().ui_labels.get("buttons", {}).get("apply_external", "{title}")
            dispatcher.utter_message(
                response="utter_dossier_external", title=link.title, url=link.url,
                buttons=[{"title": label.format(title=link.title), "payload": link.url}],
                json_message={**contract, "topic": topic.id})
            return [SlotSet(TYPE_SLOT, None), SlotSet("topic", topic.id)]
        if topic is not None:
            dispatcher.utter_message(response="utter_dossier_not_here")
            return [SlotSet(TYPE_SLOT, None), *answer_topic(dispatcher, tracker, topic,
                                                             locate(tracker))]
        dispatcher.utter_message(response="utter_dossier_choose_type", json_message=contract)
        return [SlotSet(TYPE_SLOT, None)]

    @staticmethod
    def _start(dispatcher: CollectingDispatcher, tracker: Tracker, spec: FormSpec
               ) -> list[EventType]:
        location = locate(tracker)
        same = tracker.get_slot(TYPE_SLOT) == spec.dossier_type
        resuming = same and bool(filled(spec, tracker.slots))
        values = prefill(tracker, spec, location)
        response, extra = "utter_dossier_resume" if resuming else "utter_dossier_start", {}
        if values and not resuming:
            # One reply that says why these questions will not be asked.
            response = "utter_dossier_start_carried"
            extra = {"carried": summary_text(spec, values, intake(),
                                             services().locale.get("months", []),
                                             municipality_name, only=values)}
        dispatcher.utter_message(response=response, type_title=type_title(spec.dossier_type),
                                 json_message=contract_from_slots(tracker.slots), **extra)
        # A retry after a failed submission shows the summary again before anything is sent.
        return [*location.events, SlotSet(TYPE_SLOT, spec.dossier_type), SlotSet(CONFIRM, None),
                *(SlotSet(slot, value) for slot, value in values.items())]
