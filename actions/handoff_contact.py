"""The phone number or e-mail address for a call-back request (handoff_contact_form). What a
message means is decided in bot/handoff/contact_form.py; this module only speaks and sets slots.

A question in between is rejected explicitly (`ActionExecutionRejected`): the slot's mapping
takes every text, so an empty answer would not reject the form by itself."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.counter_view import contact_lines, opening_line
from actions.dossier_common import intake, message_from
from actions.services import services
from bot.contract import contract_from_slots
from bot.handoff import contact_form
from bot.handoff.client import HandoffUnavailable
from bot.handoff.contact_form import SLOT

FORM = "handoff_contact_form"
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


def callback_variables(handoff: dict[str, Any]) -> dict[str, Any]:
    """The variables of `utter_handoff_callback`: the counter, its opening hours, the reference."""
    counter = counter_for(handoff)
    return {"counter_name": counter.name if counter is not None else handoff.get("counter"),
            "opening_line": opening_line(counter) if counter is not None else "",
            "reference": handoff.get("reference")}


def say_declined(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    dispatcher.utter_message(**counter_texts(open_handoff(tracker), DECLINED),
                             json_message=contract_from_slots(tracker.slots))


class ValidateHandoffContactForm(SafeAction):
    def name(self) -> str:
        return f"validate_{FORM}"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.slots_to_validate().get(SLOT) is None:
            return []  # back after a question in between, or "nee" (the rule declines)
        step = contact_form.answer(message_from(tracker), intake())
        if step.reject:
            return [SlotSet(SLOT, None), ActionExecutionRejected(FORM)]
        if step.replies:
            # every reply may name the counter and the reference (the call-back message does)
            known = callback_variables(open_handoff(tracker))
            for response, variables in step.replies:
                dispatcher.utter_message(response=response, **{**known, **variables})
        return [SlotSet(SLOT, step.slots.get(SLOT))]


class ActionHandoffContactSubmit(SafeAction):
    def name(self) -> str:
        return "action_handoff_contact_submit"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if contact_form.declined(tracker.get_slot(SLOT)):
            say_declined(dispatcher, tracker)
            return [SlotSet(SLOT, None)]
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
        say_declined(dispatcher, tracker)
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(SLOT, None)]
