"""The owner wants a person (or is frustrated): route to the right counter and hand over.

The live queue and officer console build on this (hand-off issue); here the owner always learns
which counter handles the question, how to reach it and whether it is open now."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.counter_view import contact_lines, opening_line
from actions.location import Location, locate
from actions.services import catalog, tenant
from bot.contract import build_contract

GENERAL_TOPIC = "contact_loket"


def hand_over(
    dispatcher: CollectingDispatcher, tracker: Tracker, location: Location
) -> list[EventType]:
    from bot.routing import route

    topic = catalog().get(tracker.get_slot("topic")) or catalog().get(GENERAL_TOPIC)
    topic_id = topic.id if topic else None
    level = topic.authority_level if topic else None
    decision = route(tenant(), topic_id, level, location.municipality, complex_case=True)
    if decision.needs_municipality:
        dispatcher.utter_message(response="utter_ask_municipality")
        return [*location.events, SlotSet("pending_offer", "human")]
    counter = decision.counter
    handoff = {"status": "callback", "counter": counter.id, "position": None}
    contract = build_contract(topic=tracker.get_slot("topic"), municipality=location.name,
                              nis=location.nis, counter=counter.id, handoff=handoff,
                              dossier=tracker.get_slot("dossier"))
    details = contact_lines(counter)
    response = "utter_human_callback" if details else "utter_human_callback_no_contact"
    dispatcher.utter_message(response=response, counter_name=counter.name,
                             opening_line=opening_line(counter), contact_details=details,
                             json_message=contract)
    return [*location.events, SlotSet("counter", counter.id), SlotSet("handoff", handoff),
            SlotSet("pending_offer", None)]


class ActionRequestHuman(SafeAction):
    def name(self) -> str:
        return "action_request_human"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "express_frustration":
            dispatcher.utter_message(response="utter_frustration")
        return hand_over(dispatcher, tracker, locate(tracker))
