"""Low NLU confidence: ask which of the likeliest meanings was meant; after a second failure in
a row, offer a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.human import hand_over
from actions.location import Location, locate
from actions.municipality import handle_municipality
from actions.services import services

FALLBACK_INTENT = "nlu_fallback"
MAX_OPTIONS = 3
MIN_CONFIDENCE = 0.05
# A place name in a request for a person lowers the classifier's confidence; with the place
# resolved, a person intent this strong is taken as meant. Topics are not guessed this way:
# an out-of-scope question naming a town must never get a random topic.
PLACE_BOOSTED_CONFIDENCE = 0.3
PERSON_INTENTS = ("request_human", "express_frustration")
NOT_OFFERED = {FALLBACK_INTENT, "out_of_scope", "affirm", "deny", "unclear_input", "greet",
               "goodbye", "thank"}


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


def label_for(intent: str) -> str | None:
    topic = services().catalog.for_intent(intent)
    if topic is not None:
        return topic.title
    return services().ui_labels.get("intent_labels", {}).get(intent)


def clarification_buttons(tracker: Tracker) -> list[dict[str, str]]:
    buttons: list[dict[str, str]] = []
    for ranked in tracker.latest_message.get("intent_ranking") or []:
        name, confidence = ranked.get("name"), float(ranked.get("confidence") or 0.0)
        if name in NOT_OFFERED or confidence < MIN_CONFIDENCE:
            continue
        label = label_for(name)
        if label and all(b["title"] != label for b in buttons):
            buttons.append({"title": label, "payload": f"/{name}"})
        if len(buttons) == MAX_OPTIONS:
            break
    return buttons


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
        if consecutive_fallbacks(tracker) >= 2:
            dispatcher.utter_message(response="utter_offer_human")
            return [SlotSet("pending_offer", "human")]
        buttons = clarification_buttons(tracker)
        if buttons:
            dispatcher.utter_message(response="utter_clarify", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_clarify_no_options")
        return []
