"""The phone number or e-mail address for a call-back request (handoff_contact_form)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.counter_view import contact_lines
from actions.services import services
from bot.contract import contract_from_slots
from bot.handoff.client import HandoffUnavailable
from bot.handoff.contact import parse_contact

SLOT = "handoff_contact"
SAVED = {"phone": "utter_handoff_contact_saved_phone", "email": "utter_handoff_contact_saved_email"}
# (with the counter's contact lines, without them)
FAILED = ("utter_handoff_contact_failed", "utter_handoff_contact_failed_no_contact")
DECLINED = ("utter_handoff_contact_declined", "utter_handoff_contact_declined_no_contact")
# Rasa's form asks for the slot with `utter_ask_handoff_contact` itself.


def open_handoff(tracker: Tracker) -> dict[str, Any]:
    value = tracker.get_slot("handoff")
    return value if isinstance(value, dict) else {}


def counter_for(handoff: dict[str, Any]) -> Any | None:
    try:
        return services().tenant.counter(str(handoff.get("counter")))
    except KeyError:
        return None


def counter_texts(handoff: dict[str, Any], responses: tuple[str, str]) -> dict[str, Any]:
    """Response name and variables naming the counter, with or without contact lines."""
    counter = counter_for(handoff)
    details = contact_lines(counter) if counter is not None else ""
    return {"response": responses[0] if details else responses[1],
            "counter_name": counter.name if counter is not None else handoff.get("counter"),
            "contact_details": details, "reference": handoff.get("reference")}


class ValidateHandoffContactForm(SafeAction):
    def name(self) -> str:
        return "validate_handoff_contact_form"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        value = tracker.slots_to_validate().get(SLOT)
        if value is None:
            return []
        contact = parse_contact(str(value))
        if contact is None:
            dispatcher.utter_message(response="utter_handoff_contact_invalid")
            return [SlotSet(SLOT, None)]
        return [SlotSet(SLOT, contact.value)]


class ActionHandoffContactSubmit(SafeAction):
    def name(self) -> str:
        return "action_handoff_contact_submit"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        handoff = open_handoff(tracker)
        contract = contract_from_slots(tracker.slots)
        try:
            kind = await services().handoff.save_contact(
                str(handoff.get("reference")), tracker.sender_id, str(tracker.get_slot(SLOT)))
        except HandoffUnavailable:
            dispatcher.utter_message(**counter_texts(handoff, FAILED),
                                     json_message=contract)
            return [SlotSet(SLOT, None)]
        counter = counter_for(handoff)
        dispatcher.utter_message(
            response=SAVED.get(kind, SAVED["phone"]), reference=handoff.get("reference"),
            counter_name=counter.name if counter is not None else handoff.get("counter"),
            json_message=contract)
        return [SlotSet(SLOT, None)]


class ActionHandoffContactDeclined(SafeAction):
    def name(self) -> str:
        return "action_handoff_contact_declined"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(**counter_texts(open_handoff(tracker), DECLINED),
                                 json_message=contract_from_slots(tracker.slots))
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(SLOT, None)]
