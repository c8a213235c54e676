"""The owner wants a person (asked, is frustrated, or said yes to our offer): route to the
right counter and hand over through the hand-off service (bot/handoff, in our web app).

* counter open and an officer available → the counter's live queue; the bot pauses
  (`ConversationPaused`) until the officer hands back;
* otherwise → a call-back request with a reference, and we ask a phone number or e-mail
  address (handoff_contact_form);
* service down → the counter's contact details and an apology, status "closed";
* the counter's queue is full (too many requests waiting) → the counter's contact details and
  the advice to try later, status "closed"."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.counter_view import contact_lines, now_brussels, opening_line
from actions.location import Location, locate
from actions.services import services
from bot.contract import build_contract
from bot.handoff.client import HandoffFull, HandoffUnavailable, SubmitResult
from bot.handoff.summary import summarize
from bot.opening_hours import opening_status
from bot.routing import route

ACTION_NAME = "action_request_human"
CONTACT_FORM = "handoff_contact_form"
GENERAL_TOPIC = "contact_loket"


def hand_over(
    dispatcher: CollectingDispatcher, tracker: Tracker, location: Location
) -> list[EventType]:
    """For other actions (yes to our offer, the municipality given after it): the hand-off
    needs network calls, so it runs as the next action."""
    return [*location.events, SlotSet("pending_offer", None), FollowupAction(ACTION_NAME)]


def current_topic(tracker: Tracker) -> Any | None:
    catalog = services().catalog
    return catalog.get(tracker.get_slot("topic")) or catalog.get(GENERAL_TOPIC)


def route_counter(topic: Any | None, location: Location) -> Any:
    topic_id = topic.id if topic else None
    level = topic.authority_level if topic else None
    return route(services().tenant, topic_id, level, location.municipality, complex_case=True)


def counter_open(counter: Any) -> bool:
    return opening_status(counter, now_brussels()).open_now


def submission(tracker: Tracker, counter: Any, location: Location, topic: Any | None
               ) -> dict[str, Any]:
    return {"conversation_id": tracker.sender_id, "counter": counter.id,
            "counter_name": counter.name, "counter_open": counter_open(counter),
            "municipality": location.name, "topic": topic.id if topic else None,
            "topic_title": topic.title if topic else None,
            "summary": summarize(tracker.events)}


def handoff_value(result: SubmitResult, counter_id: str, previous: Any) -> dict[str, Any]:
    token = result.token
    if token is None and isinstance(previous, dict) and \
            previous.get("reference") == result.reference:
        token = previous.get("token")  # asked again: the open request and its token stay
    return {"status": result.status, "counter": counter_id, "position": result.position,
            "reference": result.reference, "token": token}


class ActionRequestHuman(SafeAction):
    def name(self) -> str:
        return ACTION_NAME

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "express_frustration":
            dispatcher.utter_message(response="utter_frustration")
        location, topic = locate(tracker), current_topic(tracker)
        decision = route_counter(topic, location)
        if decision.needs_municipality:
            dispatcher.utter_message(response="utter_ask_municipality")
            return [*location.events, SlotSet("pending_offer", "human"),
                    FollowupAction("action_listen")]
        counter = decision.counter
        base = [*location.events, SlotSet("counter", counter.id), SlotSet("pending_offer", None)]
        try:
            result = await services().handoff.submit(submission(tracker, counter, location, topic))
        except HandoffUnavailable as error:
            handoff = {"status": "closed", "counter": counter.id, "position": None}
            response = "utter_handoff_queue_full" if isinstance(error, HandoffFull) \
                else "utter_handoff_unavailable"
            self._say(dispatcher, tracker, location, counter, handoff, response)
            return [*base, SlotSet("handoff", handoff), FollowupAction("action_listen")]
        handoff = handoff_value(result, counter.id, tracker.get_slot("handoff"))
        if result.status == "queued":
            self._say(dispatcher, tracker, location, counter, handoff, "utter_handoff_queued")
            return [*base, SlotSet("handoff", handoff), ConversationPaused()]
        self._say(dispatcher, tracker, location, counter, handoff, "utter_handoff_callback")
        return [*base, SlotSet("handoff", handoff), FollowupAction(CONTACT_FORM)]

    @staticmethod
    def _say(dispatcher: CollectingDispatcher, tracker: Tracker, location: Location,
             counter: Any, handoff: dict[str, Any], response: str) -> None:
        contract = build_contract(topic=tracker.get_slot("topic"), municipality=location.name,
                                  nis=location.nis, counter=counter.id, handoff=handoff,
                                  dossier=tracker.get_slot("dossier"))
        details = contact_lines(counter)
        if response == "utter_handoff_unavailable" and not details:
            response = "utter_handoff_unavailable_no_contact"
        if response == "utter_handoff_queue_full" and not details:
            response = "utter_handoff_queue_full_no_contact"
        dispatcher.utter_message(
            response=response, counter_name=counter.name, position=handoff.get("position"),
            reference=handoff.get("reference"), opening_line=opening_line(counter),
            contact_details=details, json_message=contract)
