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
from bot.dossiers.intake import status_flow
from bot.dossiers.intake.form_flow import Step
from bot.dossiers.intake.forms import dossier_view
from bot.dossiers.intake.status_flow import EMAIL, REFERENCE

FORM = "dossier_status_form"
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


def step_events(dispatcher: CollectingDispatcher, step: Step) -> list[EventType]:
    """The decision of bot/dossiers/intake/status_flow.py as Rasa events. No events at all
    reject the form for this message (a question in between: Rasa answers it, then asks again);
    a slot that changes tells Rasa the message was for the form."""
    if step.reject:
        return []
    for response, variables in step.replies:
        dispatcher.utter_message(response=response, **variables)
    events: list[EventType] = [SlotSet(name, value) for name, value in step.slots.items()]
    if step.stop:
        return [*events, SlotSet(REQUESTED, None)]
    if step.requested is not None and step.requested not in step.slots:
        events.append(SlotSet(step.requested, None))
    return [*events, SlotSet(REQUESTED, step.requested)]


class ValidateDossierStatusForm(SafeFormValidation):
    def name(self) -> str:
        return f"validate_{FORM}"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message, values = message_from(tracker), dict(tracker.slots)
        if activated_now(tracker, FORM):
            own = tracker.get_slot("dossier")
            own_reference = own.get("reference") if isinstance(own, dict) else None
            step = status_flow.opening(message, str(own_reference) if own_reference else None,
                                       bool(tracker.get_slot(PENDING_KEY)))
        elif not fresh_answer(tracker, FORM):
            step = Step(requested=status_flow.next_question(values))
        else:
            step = status_flow.answer(tracker.get_slot(REQUESTED), values, message, intake())
        return step_events(dispatcher, step)


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
