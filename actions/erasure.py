"""Right to erasure in the chat: "verwijder mijn gegevens" → a confirmation → the conversation
is deleted (the tracker store deletes it when it sees `erase_conversation`), a pending hand-off
request is withdrawn, and the owner hears what was deleted and what the municipality keeps."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.services import services
from bot.handoff.client import HandoffUnavailable
from bot.tracker_privacy import ERASE_SLOT

logger = logging.getLogger(__name__)
OFFER = "erasure"


class ActionAskErasure(SafeAction):
    def name(self) -> str:
        return "action_ask_erasure"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_erasure_confirm")
        return [SlotSet("pending_offer", OFFER)]


async def erase(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The confirmed erasure: the web app's part first (hand-off, transcript, feedback); only
    when that worked is the conversation itself marked for deletion, so a failure can be
    retried and nothing is claimed that did not happen."""
    try:
        await services().handoff.erase_conversation(tracker.sender_id)
    except HandoffUnavailable:
        logger.warning("erasure postponed: the web app did not confirm it")
        dispatcher.utter_message(response="utter_erasure_failed")
        return [SlotSet("pending_offer", None)]
    dossier = tracker.get_slot("dossier")
    reference = dossier.get("reference") if isinstance(dossier, dict) else None
    if reference:
        dispatcher.utter_message(response="utter_erasure_done_dossier", reference=reference)
    else:
        dispatcher.utter_message(response="utter_erasure_done")
    logger.info("conversation erased at the owner's request")
    return [SlotSet("pending_offer", None), SlotSet(ERASE_SLOT, True)]


class ActionEraseConversation(SafeAction):
    def name(self) -> str:
        return "action_erase_conversation"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await erase(dispatcher, tracker)
