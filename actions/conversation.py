"""Small conversational turns that need context: yes/no answers and out-of-scope questions."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.erasure import OFFER, erase
from actions.human import hand_over
from actions.location import locate
from bot.contract import contract_from_slots


class ActionHandleYesNo(SafeAction):
    """`ja`/`nee` only mean something after an offer; without one we ask what the owner needs."""

    def name(self) -> str:
        return "action_handle_yes_no"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        offer = tracker.get_slot("pending_offer")
        if offer == "human" and intent == "affirm":
            return hand_over(dispatcher, tracker, locate(tracker))
        if offer == OFFER and intent == "affirm":
            return await erase(dispatcher, tracker)
        if offer == OFFER:
            dispatcher.utter_message(response="utter_erasure_cancelled")
            return [SlotSet("pending_offer", None)]
        dispatcher.utter_message(response="utter_anything_else")
        return [SlotSet("pending_offer", None)] if offer else []


class ActionOutOfScope(SafeAction):
    """Out-of-scope reply; the contract carries no topic so no random topic is implied."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_out_of_scope",
                                 json_message=contract_from_slots(tracker.slots))
        return [SlotSet("topic", None), SlotSet("pending_topic", None)]
