"""Dossier follow-up: "Wat is de status van mijn dossier OVL-…?" → the reference (from the
message, a button or asked), the e-mail address used as verification, then the status in plain
Dutch with what happens next. A submission still waiting in the outbox is reported as such."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.dossier_common import (
    activated_now,
    counter_name,
    fresh_answer,
    hand_over_after_form,
    intake,
    message_from,
    type_info,
    type_title,
)
from actions.dossier_documents import after_status
from actions.dossier_forms import REQUESTED, SafeFormValidation
from actions.services import services
from bot.contract import build_contract, contract_from_slots
from bot.dossiers.client.api import DossierError, NotFound
from bot.dossiers.intake.form_flow import (
    Message,
    invalid_reply,
    steps_aside,
    wants_person,
    wants_stop,
)
from bot.dossiers.intake.forms import dossier_view
from bot.dossiers.intake.words import IntakeWords, find_reference
from bot.validators import ErrorCode, Valid, validate_email

FORM = "dossier_status_form"
REFERENCE = "dossier_status_reference"
EMAIL = "dossier_status_email"
PENDING_KEY = "dossier_pending_key"
STATUS_RESPONSES = {
    "received": "utter_dossier_status_received",
    "in_behandeling": "utter_dossier_status_in_behandeling",
    "aanvullende_info_nodig": "utter_dossier_status_aanvullende_info_nodig",
    "goedgekeurd": "utter_dossier_status_goedgekeurd",
    "geweigerd": "utter_dossier_status_geweigerd",
    "afgesloten": "utter_dossier_status_afgesloten",
}
UNKNOWN_STATUS = "utter_dossier_status_unknown"
OFFICER_NOTE = "utter_dossier_status_officer_note"


def reference_in(message: Message) -> str | None:
    return find_reference(str(message.entities.get("reference") or "")) or \
        find_reference(message.text)


def email_in(text: str) -> str | None:
    for word in text.replace(",", " ").split():
        result = validate_email(word.strip(".;:!?()<>"))
        if isinstance(result, Valid):
            return result.value
    return None


def _ask(slot: str | None, values: dict[str, Any]) -> list[EventType]:
    events: list[EventType] = [SlotSet(name, value) for name, value in values.items()]
    if slot is not None and slot not in values:
        events.append(SlotSet(slot, None))
    return [*events, SlotSet(REQUESTED, slot)]


def _next(values: dict[str, Any]) -> str | None:
    return next((slot for slot in (REFERENCE, EMAIL) if values.get(slot) is None), None)


def _answer(dispatcher: CollectingDispatcher, tracker: Tracker, message: Message,
            words: IntakeWords) -> list[EventType]:
    requested = tracker.get_slot(REQUESTED)
    if wants_stop(message, words, optional=False) or wants_person(message, words):
        return [SlotSet(REFERENCE, None), SlotSet(EMAIL, None), SlotSet(REQUESTED, None)]
    if requested not in (REFERENCE, EMAIL):
        return _ask(_next(dict(tracker.slots)), {})
    if requested == REFERENCE:
        reference = reference_in(message)
        if reference:
            return _ask(_next({EMAIL: tracker.get_slot(EMAIL), REFERENCE: reference}),
                        {REFERENCE: reference})
        code: ErrorCode = "reference_format"
    else:
        email = validate_email(message.text)
        if isinstance(email, Valid):
            return _ask(None, {EMAIL: email.value})
        code = email.code
    if steps_aside(message, words):
        return []
    response, variables = invalid_reply(code)
    dispatcher.utter_message(response=response, **variables)
    return _ask(requested, {})


class ValidateDossierStatusForm(SafeFormValidation):
    def name(self) -> str:
        return f"validate_{FORM}"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = message_from(tracker)
        if activated_now(tracker, FORM):
            return self._activate(tracker, message)
        if not fresh_answer(tracker, FORM):
            return _ask(_next(dict(tracker.slots)), {})
        return _answer(dispatcher, tracker, message, intake())

    @staticmethod
    def _activate(tracker: Tracker, message: Message) -> list[EventType]:
        """Take what the question already contains; a submission waiting in the outbox is
        reported at once, without asking anything."""
        reference = reference_in(message)
        if reference is None and tracker.get_slot(PENDING_KEY):
            return [SlotSet(REFERENCE, None), SlotSet(EMAIL, None), SlotSet(REQUESTED, None)]
        own = tracker.get_slot("dossier")
        if reference is None and isinstance(own, dict) and own.get("reference"):
            reference = str(own["reference"])
        values = {REFERENCE: reference, EMAIL: email_in(message.text)}
        return _ask(_next(values), values)


class ActionDossierStatus(SafeAction):
    def name(self) -> str:
        return "action_dossier_status"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reference, email = tracker.get_slot(REFERENCE), tracker.get_slot(EMAIL)
        done: list[EventType] = [SlotSet(REFERENCE, None), SlotSet(EMAIL, None)]
        contract = contract_from_slots(tracker.slots)
        if not reference and tracker.get_slot(PENDING_KEY):
            return [*done, *await self._pending(dispatcher, tracker)]
        if not reference or not email:
            handover = hand_over_after_form(tracker)
            if handover is not None:
                return [*done, *handover]
            dispatcher.utter_message(response="utter_dossier_status_stopped",
                                     json_message=contract)
            return done
        try:
            client = services().dossiers.active().client
            view = await client.get_status(str(reference), str(email), tracker.sender_id)
        except NotFound:
            dispatcher.utter_message(response="utter_dossier_status_not_found",
                                     json_message=contract)
            return done
        except DossierError:
            dispatcher.utter_message(response="utter_dossier_status_unavailable",
                                     json_message=contract)
            return done
        dossier = dossier_view(view)
        municipality = view.get("municipality") or {}
        reply_contract = build_contract(
            topic=type_info(dossier["type"]).get("topic"), municipality=dossier["municipality"],
            nis=municipality.get("nis"), counter=dossier["counter"],
            handoff=tracker.get_slot("handoff"), dossier=dossier)
        dispatcher.utter_message(
            response=STATUS_RESPONSES.get(str(dossier["status"]), UNKNOWN_STATUS),
            reference=dossier["reference"], type_title=type_title(dossier["type"]),
            counter_name=counter_name(dossier["counter"]) or dossier["counter"],
            json_message=reply_contract)
        note = view.get("last_note")
        if isinstance(note, str) and note.strip():
            # the officer's message with the current status (never an internal note)
            dispatcher.utter_message(response=OFFICER_NOTE, officer_note=note.strip(),
                                     json_message=reply_contract)
        # documents and the answer to "aanvullende info nodig" (actions/dossier_documents.py)
        more = await after_status(dispatcher, tracker, client, dossier, str(email),
                                  reply_contract)
        return [*done, SlotSet("dossier", dossier), *more]

    @staticmethod
    async def _pending(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        own = tracker.get_slot("dossier")
        own = own if isinstance(own, dict) else {}
        outbox = services().dossiers.active().outbox
        result = await outbox.result(str(tracker.get_slot(PENDING_KEY)))
        if result is None or result.queued:
            dispatcher.utter_message(response="utter_dossier_status_pending",
                                     type_title=type_title(own.get("type")),
                                     json_message=contract_from_slots(tracker.slots))
            return []
        if result.dossier is None:  # the service refused it when it was delivered
            dispatcher.utter_message(response="utter_dossier_status_refused_on_delivery",
                                     type_title=type_title(own.get("type")),
                                     json_message=contract_from_slots(tracker.slots))
            return [SlotSet(PENDING_KEY, None)]
        dossier = dossier_view(result.dossier)
        dispatcher.utter_message(
            response="utter_dossier_status_delivered_later", reference=dossier["reference"],
            type_title=type_title(dossier["type"]),
            counter_name=counter_name(dossier["counter"]) or dossier["counter"],
            json_message={**contract_from_slots(tracker.slots), "dossier": dossier})
        return [SlotSet("dossier", dossier), SlotSet(PENDING_KEY, None)]
