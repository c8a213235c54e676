"""The owner adds to their dossier in the chat: a document ("Document toevoegen") and, when the
counter asked for more information, the answer.

* After the status check found "aanvullende info nodig" (reference and e-mail matched), the
  service grants this conversation the dossier; the assistant shows the officer's question
  (dossier_status.py) and offers to answer and to add a document.
* `add_dossier_document`: the upload buttons for the dossier of this conversation (submitted
  here, or looked up with the e-mail check); the web app takes the file (bot/web/documents.py).
  In the web chat and the widget each requested document that did not arrive yet has its own
  button (its payload names the document, content/requested_documents.yml), and one more is
  for any other document.
* `answer_dossier` opens `dossier_answer_form` (one free-text slot); the answer goes to the
  dossier service, the dossier goes back to the counter ("in behandeling") and the owner gets
  the usual e-mail. The answer's text is cleared from the slots once sent."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.dossier_common import activated_now, fresh_answer, intake, message_from
from actions.dossier_forms import REQUESTED, SafeFormValidation
from actions.services import services
from bot.catalog import ContentError
from bot.contract import contract_from_slots
from bot.dossiers.client.api import DossierClient, DossierError, Invalid, NotFound
from bot.dossiers.client.owner_documents import (
    grant_conversation,
    requested_status,
    send_answer,
)
from bot.dossiers.intake.form_flow import wants_person, wants_stop
from bot.dossiers.models import IN_PROGRESS, NEEDS_INFO, RECEIVED
from bot.dossiers.requested_documents import Channel, RequestedDocuments, load_requested_documents

logger = logging.getLogger(__name__)
DOCUMENT_SLOT = "dossier_document_reference"  # read by the web app's upload (bot/web/documents.py)
ANSWER_REFERENCE = "dossier_answer_reference"
ANSWER_TEXT = "dossier_answer_text"
ANSWER_FORM = "dossier_answer_form"
MIN_ANSWER, MAX_ANSWER = 2, 2000
OPEN_STATUSES = frozenset({RECEIVED, IN_PROGRESS, NEEDS_INFO})  # the service's too
FILE_CHANNELS = frozenset({"telegram", "twilio_whatsapp"})  # a sent photo or PDF is taken
NO_FILE_CHANNELS = frozenset({"teams"})  # an outgoing webhook cannot fetch attachments


def requested_documents() -> RequestedDocuments:
    return load_requested_documents(services().settings.content_dir / "requested_documents.yml")


def channel_kind(tracker: Tracker) -> Channel:
    """How the owner adds a document on the channel of their last message."""
    channel = tracker.get_latest_input_channel()
    if channel in FILE_CHANNELS:
        return "messaging"
    return "no_files" if channel in NO_FILE_CHANNELS else "web"


def offer_after_submission(dispatcher: CollectingDispatcher, tracker: Tracker,
                           dossier_type: str, reference: str,
                           contract: dict[str, Any]) -> list[EventType]:
    """Right after a submission: the documents the type asks for and how to add them. The
    conversation that submitted the dossier may add documents to it (the service checks)."""
    try:
        requested = requested_documents()
    except ContentError:  # the dossier is in: a broken list must not hide that
        logger.exception("requested documents not shown after %s", reference)
        return [SlotSet(DOCUMENT_SLOT, reference)]
    channel = channel_kind(tracker)
    text = requested.message(dossier_type, reference, channel)
    if text is not None:
        buttons = requested.buttons(requested.for_type(dossier_type)) \
            if channel == "web" else []
        dispatcher.utter_message(text=text, buttons=buttons, json_message=contract)
    return [SlotSet(DOCUMENT_SLOT, reference)]


async def after_status(dispatcher: CollectingDispatcher, tracker: Tracker,
                       client: DossierClient, dossier: dict[str, Any], email: str,
                       contract: dict[str, Any]) -> list[EventType]:
    """After a successful status check of an open dossier: grant this conversation the dossier
    (documents may be added); for "aanvullende info nodig", offer to answer and to add a
    document. Nothing is offered when the grant cannot be had (the status answer already
    told the owner to contact the counter)."""
    status, reference = str(dossier.get("status")), str(dossier.get("reference"))
    if status not in OPEN_STATUSES:
        return []
    try:
        await grant_conversation(client, reference, email, tracker.sender_id)
    except DossierError:
        return []
    if status != NEEDS_INFO:
        return [SlotSet(DOCUMENT_SLOT, reference)]
    dispatcher.utter_message(response="utter_dossier_answer_offer", reference=reference,
                             json_message=contract)
    return [SlotSet(DOCUMENT_SLOT, reference), SlotSet(ANSWER_REFERENCE, reference)]


def _own_reference(tracker: Tracker) -> str | None:
    """The dossier this conversation may add to: offered before, or submitted here."""
    offered = tracker.get_slot(DOCUMENT_SLOT)
    if isinstance(offered, str) and offered:
        return offered
    own = tracker.get_slot("dossier")
    if isinstance(own, dict) and own.get("reference"):
        return str(own["reference"])
    return None


async def _offer_missing(dispatcher: CollectingDispatcher, tracker: Tracker, reference: str,
                         contract: dict[str, Any]) -> bool:
    """The requested documents that did not arrive yet, each with its own button; False (the
    plain offer instead) when there are none or the service cannot tell."""
    try:  # a read: the outbox's delivery need not run for it
        client = services().dossiers.client
        dossier_type, received = await requested_status(client, reference, tracker.sender_id)
        requested = requested_documents()
    except (DossierError, ContentError):
        return False
    missing = [d for d in requested.for_type(dossier_type) if not received.get(d.id, False)]
    text = requested.offer(missing, reference)
    if text is None:
        return False
    dispatcher.utter_message(text=text, buttons=requested.buttons(missing),
                             json_message=contract)
    return True


class ActionDossierDocumentOffer(SafeAction):
    def name(self) -> str:
        return "action_dossier_document_offer"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        contract = contract_from_slots(tracker.slots)
        reference = _own_reference(tracker)
        if reference is None:
            dispatcher.utter_message(response="utter_dossier_document_no_dossier",
                                     json_message=contract)
            return []
        channel = channel_kind(tracker)
        if channel == "web":
            if not await _offer_missing(dispatcher, tracker, reference, contract):
                dispatcher.utter_message(response="utter_dossier_document_offer",
                                         reference=reference, json_message=contract)
        else:
            key = "send_here" if channel == "messaging" else "no_files_here"
            dispatcher.utter_message(
                text=requested_documents().texts[key].replace("{reference}", reference),
                json_message=contract)
        return [SlotSet(DOCUMENT_SLOT, reference)]


class ValidateDossierAnswerForm(SafeFormValidation):
    def name(self) -> str:
        return f"validate_{ANSWER_FORM}"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        stop = [SlotSet(ANSWER_TEXT, None), SlotSet(REQUESTED, None)]
        if not tracker.get_slot(ANSWER_REFERENCE):
            return stop  # nothing to answer: action_dossier_answer_send says what to do
        if activated_now(tracker, ANSWER_FORM) or not fresh_answer(tracker, ANSWER_FORM):
            return [SlotSet(ANSWER_TEXT, None), SlotSet(REQUESTED, ANSWER_TEXT)]
        message = message_from(tracker)
        if wants_stop(message, intake(), optional=False) or wants_person(message, intake()):
            return stop  # no answer: action_dossier_answer_send says nothing was sent
        text = message.text.strip()
        if message.is_payload or len(text) < MIN_ANSWER:
            dispatcher.utter_message(response="utter_dossier_answer_too_short")
            return [SlotSet(ANSWER_TEXT, None), SlotSet(REQUESTED, ANSWER_TEXT)]
        if len(text) > MAX_ANSWER:
            dispatcher.utter_message(response="utter_dossier_answer_too_long", max=MAX_ANSWER)
            return [SlotSet(ANSWER_TEXT, None), SlotSet(REQUESTED, ANSWER_TEXT)]
        return [SlotSet(ANSWER_TEXT, text), SlotSet(REQUESTED, None)]


class ActionDossierAnswerSend(SafeAction):
    def name(self) -> str:
        return "action_dossier_answer_send"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reference, text = tracker.get_slot(ANSWER_REFERENCE), tracker.get_slot(ANSWER_TEXT)
        contract = contract_from_slots(tracker.slots)
        done: list[EventType] = [SlotSet(ANSWER_TEXT, None)]
        if not reference:
            dispatcher.utter_message(response="utter_dossier_answer_no_dossier",
                                     json_message=contract)
            return done
        if not text:
            dispatcher.utter_message(response="utter_dossier_answer_stopped",
                                     json_message=contract)
            return [*done, SlotSet(ANSWER_REFERENCE, None)]
        try:
            client = services().dossiers.active().client
            await send_answer(client, str(reference), tracker.sender_id, str(text))
        except (Invalid, NotFound):
            dispatcher.utter_message(response="utter_dossier_answer_not_waiting",
                                     reference=reference, json_message=contract)
            return [*done, SlotSet(ANSWER_REFERENCE, None)]
        except DossierError:
            # the reference stays: "antwoord geven" later asks for the answer again
            dispatcher.utter_message(response="utter_dossier_answer_unavailable",
                                     json_message=contract)
            return done
        dispatcher.utter_message(response="utter_dossier_answer_sent", reference=reference,
                                 json_message=contract)
        return [*done, SlotSet(ANSWER_REFERENCE, None)]
