"""Follow-up questions ("en wat kost dat?", "waar vraag ik dat aan?") about the current topic.

We never state amounts or deadlines ourselves: we say who decides and where the official
figures are, and name the counter when we know it."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.services import services
from bot.catalog import Topic
from bot.contract import build_contract
from bot.dossiers.intake.words import detect_request

KINDS = ("cost", "documents", "duration", "who", "where")
MAX_FOLLOWUP_WORDS = 10
RESPONSES = {"cost": "utter_followup_cost", "duration": "utter_followup_duration",
             "who": "utter_followup_who"}


def followup_kind(text: str) -> str:
    words = set(re.findall(r"\w+", text.lower()))
    keywords = services().ui_labels.get("followup_keywords", {})
    for kind in KINDS:
        if words & set(keywords.get(kind, [])):
            return kind
    return "where"


def counter_hint(tracker: Tracker) -> str:
    counter_id = tracker.get_slot("counter")
    if not counter_id:
        return ""
    try:
        counter = services().tenant.counter(counter_id)
    except KeyError:
        return ""
    hint = str(services().ui_labels.get("followup_counter_hint", ""))
    return hint.format(counter_name=counter.name)


def bullets(items: tuple[str, ...]) -> str:
    bullet = str(services().ui_labels.get("list_bullet", "- "))
    return "\n".join(bullet + item for item in items)


def followup_message(topic: Topic, kind: str, hint: str) -> dict[str, Any]:
    source = topic.sources[0].url if topic.sources else ""
    common = {"title": topic.title, "authority": topic.authority_name, "source": source,
              "counter_hint": hint}
    if kind == "documents" and topic.what_to_prepare:
        return {"response": "utter_followup_documents", **common,
                "items": bullets(topic.what_to_prepare)}
    if kind == "where" and topic.how_to_apply:
        return {"response": "utter_followup_where", **common,
                "steps": bullets(topic.how_to_apply)}
    if kind in RESPONSES:
        return {"response": RESPONSES[kind], **common}
    return {"response": "utter_followup_who", **common}


def is_followup_on_current_topic(tracker: Tracker) -> bool:
    """A short question that points back ("en hoe lang duurt het?", "wat kost dat?") and names
    no topic of its own is about the topic we just answered, whatever the classifier guessed."""
    if services().catalog.get(tracker.get_slot("topic")) is None:
        return False
    text = str(tracker.latest_message.get("text") or "")
    words = re.findall(r"\w+", text.lower())
    if text.startswith("/") or not words or len(words) > MAX_FOLLOWUP_WORDS:
        return False
    pointers = set(services().ui_labels.get("followup_pointers", []))
    keywords = services().ui_labels.get("followup_keywords", {})
    asks = any(set(words) & set(keywords.get(kind, [])) for kind in KINDS)
    return asks and bool(set(words) & pointers) and detect_request(text, services().intake) is None


def answer_followup(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    topic = services().catalog.get(tracker.get_slot("topic"))
    if topic is None:
        dispatcher.utter_message(response="utter_followup_no_topic")
        return []
    message = followup_message(topic, followup_kind(tracker.latest_message.get("text") or ""),
                               counter_hint(tracker))
    contract = build_contract(
        topic=topic.id, source=message["source"] or None, authority=topic.authority_name,
        municipality=tracker.get_slot("municipality"), nis=tracker.get_slot("nis"),
        counter=tracker.get_slot("counter"), handoff=tracker.get_slot("handoff"),
        dossier=tracker.get_slot("dossier"))
    dispatcher.utter_message(**message, json_message=contract)
    return []


class ActionAnswerFollowup(SafeAction):
    def name(self) -> str:
        return "action_answer_followup"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return answer_followup(dispatcher, tracker)
