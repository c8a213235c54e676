"""After a dossier form: submit what the owner confirmed, or confirm that nothing was submitted.

Submissions go through the outbox: when the dossier service is down, the submission is kept
and delivered later, and the owner is told so. The idempotency key was fixed at confirmation,
so a retry or a late delivery never creates a second dossier."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction, deadline
from actions.counter_view import counter_message
from actions.dossier_common import (
    clear_form_events,
    hand_over_after_form,
    intake,
    municipality_name,
    route_dossier,
    spec_for,
    type_info,
    type_title,
)
from actions.dossier_documents import offer_after_submission
from actions.services import services
from bot.contract import build_contract, contract_from_slots
from bot.dossiers.client.api import Invalid
from bot.dossiers.intake.forms import (
    CONFIRM,
    MUNICIPALITY,
    SUBMISSION_KEY,
    TYPE_SLOT,
    build_submission,
    dossier_view,
)

logger = logging.getLogger(__name__)
QUEUED = "queued"  # contract status of a submission waiting in the outbox
PENDING_KEY = "dossier_pending_key"
# Leaves time for delivering older submissions and one attempt with retry (client timeout
# 1.5 s, one retry) within Rasa's action timeout.
SUBMIT_BUDGET_SECONDS = 4.5


class ActionFinishDossier(SafeAction):
    deadline_seconds = 5.5

    def name(self) -> str:
        return "action_finish_dossier"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dossier_type = tracker.get_slot(TYPE_SLOT)
        spec = spec_for(domain, dossier_type)
        if spec is None or tracker.get_slot(CONFIRM) is not True:
            handover = hand_over_after_form(tracker)
            if handover is not None:
                return [*clear_form_events(), *handover]
            dispatcher.utter_message(response="utter_dossier_stopped",
                                     json_message=contract_from_slots(tracker.slots))
            return clear_form_events()
        nis = str(tracker.get_slot(MUNICIPALITY))
        name = municipality_name(nis) or nis
        counter = route_dossier(spec.dossier_type, nis).counter
        key = str(tracker.get_slot(SUBMISSION_KEY) or uuid.uuid4().hex)
        submission = build_submission(spec, tracker.slots, tenant=services().tenant.id,
                                      counter=counter.id, municipality=(nis, name),
                                      conversation_id=tracker.sender_id)
        context = [SlotSet("municipality", name), SlotSet("nis", nis),
                   SlotSet("counter", counter.id)]

        def contract(dossier: dict[str, Any] | None) -> dict[str, Any]:
            return build_contract(topic=type_info(spec.dossier_type).get("topic"),
                                  municipality=name, nis=nis, counter=counter.id,
                                  handoff=tracker.get_slot("handoff"), dossier=dossier)

        title = type_title(spec.dossier_type)
        try:
            result = await asyncio.wait_for(
                services().dossiers.active().outbox.submit(submission, key),
                timeout=deadline(SUBMIT_BUDGET_SECONDS))
        except Invalid as rejected:
            logger.error("dossier submission %s rejected: %s", key, rejected.code)
            dispatcher.utter_message(response="utter_dossier_rejected",
                                     json_message=contract(None))
            dispatcher.utter_message(**counter_message(counter))
            return [*clear_form_events(), *context]
        except Exception as error:  # timeout or a broken outbox: keep everything for a retry
            logger.error("dossier submission %s failed: %s", key, type(error).__name__,
                         exc_info=not isinstance(error, asyncio.TimeoutError))
            retry = {"title": intake().buttons["retry"],
                     "payload": f'/start_dossier{{"dossier_type":"{spec.dossier_type}"}}'}
            dispatcher.utter_message(response="utter_dossier_submit_failed", buttons=[retry],
                                     json_message=contract(None))
            return [SlotSet(CONFIRM, None), SlotSet(SUBMISSION_KEY, key)]
        if result.queued or result.dossier is None:
            dossier = {"reference": None, "type": spec.dossier_type, "status": QUEUED,
                       "municipality": name, "counter": counter.id}
            dispatcher.utter_message(response="utter_dossier_queued", type_title=title,
                                     counter_name=counter.name, json_message=contract(dossier))
            return [*clear_form_events(), *context, SlotSet("dossier", dossier),
                    SlotSet(PENDING_KEY, key)]
        dossier = dossier_view(result.dossier)
        status_button = {"title": intake().buttons["check_status"],
                         "payload": f'/ask_dossier_status{{"reference":"{dossier["reference"]}"}}'}
        dispatcher.utter_message(response="utter_dossier_submitted", type_title=title,
                                 counter_name=counter.name, reference=dossier["reference"],
                                 buttons=[status_button], json_message=contract(dossier))
        documents = offer_after_submission(dispatcher, tracker, spec.dossier_type,
                                           str(dossier["reference"]), contract(dossier))
        return [*clear_form_events(), *context, SlotSet("dossier", dossier),
                SlotSet(PENDING_KEY, None), *documents]
