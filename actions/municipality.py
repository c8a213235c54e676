"""The owner tells (or corrects) the municipality of their business."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.clarify_options import open_clarification
from actions.counter_view import counter_message
from actions.human import hand_over
from actions.knowledge import answer_topic, route_topic
from actions.location import Location, locate, say_location_problem
from actions.services import services
from actions.topic_hint import topic_in_message
from bot.contract import build_contract


def handle_municipality(
    dispatcher: CollectingDispatcher, tracker: Tracker, location: Location
) -> list[EventType]:
    if location.status != "found":
        if location.status in ("ambiguous", "outside_flanders"):
            say_location_problem(dispatcher, location)
        else:
            dispatcher.utter_message(response="utter_municipality_unknown")
        return []
    if tracker.get_slot("pending_offer") == "human":
        return hand_over(dispatcher, tracker, location)
    pending = services().catalog.get(tracker.get_slot("pending_topic"))
    if pending is not None:
        return answer_topic(dispatcher, tracker, pending, location)
    contract = build_contract(
        topic=None, municipality=location.name, nis=location.nis,
        handoff=tracker.get_slot("handoff"), dossier=tracker.get_slot("dossier"))
    if location.place and location.place.lower() != (location.name or "").lower():
        dispatcher.utter_message(response="utter_municipality_set_place", place=location.place,
                                 municipality=location.name, json_message=contract)
    else:
        dispatcher.utter_message(response="utter_municipality_set", municipality=location.name,
                                 json_message=contract)
    events = list(location.events)
    current = services().catalog.get(tracker.get_slot("topic"))
    if current is not None and current.local:
        # A correction after a local answer: show the counter of the new municipality.
        decision = route_topic(current, location)
        if not decision.needs_municipality:
            contract.update(topic=current.id, counter=decision.counter.id)
            dispatcher.utter_message(**counter_message(decision.counter), json_message=contract)
            events.append(SlotSet("counter", decision.counter.id))
    elif current is not None and just_answered(tracker):
        # "ik zit in Lokeren" right after a Flemish answer: the question goes on, with the
        # municipality's own counter (the agency's card was shown with the answer).
        decision = route_topic(current, location)
        local = decision.secondary or decision.counter
        contract.update(topic=current.id, counter=local.id)
        if local.id != tracker.get_slot("counter"):
            dispatcher.utter_message(**counter_message(local), json_message=contract)
            events.append(SlotSet("counter", local.id))
    elif open_clarification(tracker):
        # The owner answered "which topic?" with their place: the question is still open.
        dispatcher.utter_message(response="utter_clarify_again",
                                 buttons=open_clarification(tracker))
    else:
        dispatcher.utter_message(response="utter_anything_else")
    return events


ANSWERING_ACTIONS = frozenset({"action_answer_topic", "action_answer_followup"})


def just_answered(tracker: Tracker) -> bool:
    """The assistant's last turn answered the current topic."""
    seen_user = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif seen_user and event.get("event") == "action" and \
                event.get("name") != "action_listen":
            return event.get("name") in ANSWERING_ACTIONS
    return False


class ActionHandleMunicipality(SafeAction):
    def name(self) -> str:
        return "action_handle_municipality"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        location = locate(tracker)
        topic = topic_in_message(tracker)
        if topic is not None and location.status == "found":
            # "…een terras op het Sint-Pietersplein in Gent": the question, for that place.
            return answer_topic(dispatcher, tracker, topic, location)
        return handle_municipality(dispatcher, tracker, location)
