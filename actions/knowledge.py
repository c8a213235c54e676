"""Knowledge answers: the topic's sourced answer, tailored to the municipality, plus the
counter that handles it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.counter_view import counter_message
from actions.followup import answer_followup, is_followup_on_current_topic
from actions.location import Location, locate, say_location_problem
from actions.services import services
from bot.catalog import LocalAnswer, Topic
from bot.contract import build_contract
from bot.routing import route

MAX_RELATED_BUTTONS = 2


def topic_buttons(topic: Topic) -> list[dict[str, str]]:
    labels = services().ui_labels.get("buttons", {})
    buttons: list[dict[str, str]] = []
    if topic.dossier_type:
        buttons.append({"title": labels["start_dossier"],
                        "payload": f'/start_dossier{{"dossier_type":"{topic.dossier_type}"}}'})
    if topic.external_application:
        buttons.append({"title": labels["apply_external"].format(
            title=topic.external_application.title), "payload": topic.external_application.url})
    for related_id in topic.related[:MAX_RELATED_BUTTONS]:
        related = services().catalog.get(related_id)
        if related:
            buttons.append({"title": labels["related"].format(title=related.title),
                            "payload": f"/{related.intent}"})
    buttons.append({"title": labels["talk_to_person"], "payload": "/request_human"})
    return buttons


def format_sources(answer: LocalAnswer) -> str:
    separator = str(services().ui_labels.get("source_separator", " · "))
    return separator.join(f"{source.title} ({source.url})" for source in answer.sources)


def route_topic(topic: Topic, location: Location, complex_case: bool = False) -> Any:
    return route(services().tenant, topic.id, topic.authority_level, location.municipality,
                 complex_case=complex_case)


def answer_topic(
    dispatcher: CollectingDispatcher, tracker: Tracker, topic: Topic, location: Location
) -> list[EventType]:
    """Send the answer and the routing for one topic; return the slot events."""
    answer = topic.answer_for(location.nis)
    decision = route_topic(topic, location)
    counter_id = None if decision.needs_municipality else decision.counter.id
    contract = build_contract(
        topic=topic.id, source=answer.sources[0].url if answer and answer.sources else None,
        authority=topic.authority_name, municipality=location.name, nis=location.nis,
        counter=counter_id, handoff=tracker.get_slot("handoff"),
        dossier=tracker.get_slot("dossier"))
    if answer is not None:
        dispatcher.utter_message(
            response="utter_topic_answer_example" if answer.example else "utter_topic_answer",
            answer=answer.text, sources=format_sources(answer), buttons=topic_buttons(topic),
            json_message=contract)
    # No answer valid today (expired, or its successor has not started): say nothing of the
    # old rules; the counter below (or the question for the municipality) still follows.
    events: list[EventType] = [*location.events, SlotSet("topic", topic.id)]
    if decision.needs_municipality:
        dispatcher.utter_message(response="utter_topic_needs_municipality")
        return [*events, SlotSet("pending_topic", topic.id)]
    if answer is None or tracker.get_slot("counter") != decision.counter.id:
        # The contact card once per counter in a conversation, not after every answer (but
        # always when there is no answer valid today: then the counter is the answer).
        dispatcher.utter_message(**counter_message(decision.counter))
    return [*events, SlotSet("counter", decision.counter.id), SlotSet("pending_topic", None)]


class ActionAnswerTopic(SafeAction):
    def name(self) -> str:
        return "action_answer_topic"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        topic = services().catalog.for_intent(intent)
        if topic is None:
            dispatcher.utter_message(response="utter_clarify_no_options")
            return []
        if topic.id != tracker.get_slot("topic") and is_followup_on_current_topic(tracker):
            return answer_followup(dispatcher, tracker)
        location = locate(tracker)
        if location.status == "ambiguous":
            # "een terras in Meldert": one question (which Meldert?), the answer follows the
            # choice; never the answer for a guessed place and the question again after it.
            say_location_problem(dispatcher, location)
            return [SlotSet("topic", topic.id), SlotSet("pending_topic", topic.id)]
        say_location_problem(dispatcher, location)
        return answer_topic(dispatcher, tracker, topic, location)
