"""Low NLU confidence: ask which of the likeliest meanings was meant; after a second failure in
a row, offer a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.clarify_options import FALLBACK_INTENT, buttons_for
from actions.followup import answer_followup, is_followup_on_current_topic
from actions.human import hand_over
from actions.knowledge import answer_topic
from actions.location import Location, locate
from actions.municipality import handle_municipality
from actions.topic_hint import topic_in_message

# A place name in a request for a person lowers the classifier's confidence; with the place
# resolved, a person intent this strong is taken as meant. A topic is taken only when the
# owner's own words name it (actions/topic_hint.py): an out-of-scope question naming a town
# must never get a random topic.
PLACE_BOOSTED_CONFIDENCE = 0.3
PERSON_INTENTS = ("request_human", "express_frustration")


def consecutive_fallbacks(tracker: Tracker) -> int:
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != FALLBACK_INTENT:
            break
        count += 1
    return count


def clarification_buttons(tracker: Tracker) -> list[dict[str, str]]:
    return buttons_for(tracker.latest_message.get("intent_ranking") or [])


def best_intent(tracker: Tracker) -> tuple[str | None, float]:
    for ranked in tracker.latest_message.get("intent_ranking") or []:
        if ranked.get("name") != FALLBACK_INTENT:
            return ranked.get("name"), float(ranked.get("confidence") or 0.0)
    return None, 0.0


def act_on_place_and_intent(
    dispatcher: CollectingDispatcher, tracker: Tracker, location: Location
) -> list[EventType]:
    """The message named a place: use it, and hand over when the owner asked for a person."""
    intent, confidence = best_intent(tracker)
    if intent in PERSON_INTENTS and confidence >= PLACE_BOOSTED_CONFIDENCE:
        return hand_over(dispatcher, tracker, location)
    topic = topic_in_message(tracker)
    if topic is not None and location.status == "found":
        return answer_topic(dispatcher, tracker, topic, location)
    return handle_municipality(dispatcher, tracker, location)


class ActionClarify(SafeAction):
    def name(self) -> str:
        return "action_clarify"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        location = locate(tracker)
        if location.source in ("text", "button"):
            return act_on_place_and_intent(dispatcher, tracker, location)
        if is_followup_on_current_topic(tracker):
            # "en hoe lang duurt het voor ik die heb?" right after an answer: about that topic.
            return answer_followup(dispatcher, tracker)
        if consecutive_fallbacks(tracker) >= 2:
            dispatcher.utter_message(response="utter_offer_human")
            return [SlotSet("pending_offer", "human")]
        buttons = clarification_buttons(tracker)
        if buttons:
            dispatcher.utter_message(response="utter_clarify", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_clarify_no_options")
        return []
