"""Notices our web app runs in a conversation (POST /conversations/{id}/execute) when an
officer joins it or gives it back to the bot (see bot/handoff/takeover.py)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from bot.contract import contract_from_slots


class ActionHandoffOfficerJoined(SafeAction):
    def name(self) -> str:
        return "action_handoff_officer_joined"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_handoff_officer_joined",
                                 officer_name=tracker.get_slot("handoff_officer") or "",
                                 json_message=contract_from_slots(tracker.slots))
        return []


class _Resumed(SafeAction):
    response = ""

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        previous = tracker.get_slot("handoff")
        previous = previous if isinstance(previous, dict) else {}
        handoff = {"status": "closed", "counter": previous.get("counter"), "position": None,
                   "reference": previous.get("reference")}
        slots = {**tracker.slots, "handoff": handoff}
        dispatcher.utter_message(response=self.response, json_message=contract_from_slots(slots))
        return [SlotSet("handoff", handoff), SlotSet("handoff_officer", None)]


class ActionHandoffBack(_Resumed):
    response = "utter_handoff_back"

    def name(self) -> str:
        return "action_handoff_back"


class ActionHandoffClosed(_Resumed):
    response = "utter_handoff_closed"

    def name(self) -> str:
        return "action_handoff_closed"
