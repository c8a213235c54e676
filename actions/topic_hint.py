"""A topic the owner's own words name ("…een terras van 20 m2 op het Sint-Pietersplein in
Gent"), for a message the classifier filed elsewhere, mostly under the municipality, whose
examples outnumber every topic. Taken only when the words name the topic (the request patterns
of content/dossier_forms.yml) and the classifier ranks it among its likeliest meanings, so an
out-of-scope question that names a town never gets a guessed topic."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.services import services
from bot.catalog import Topic
from bot.dossiers.intake.words import detect_request

TOP_RANKS = 5
MIN_CONFIDENCE = 0.01


def topic_in_message(tracker: Tracker) -> Topic | None:
    text = str(tracker.latest_message.get("text") or "")
    if not text or text.startswith("/"):
        return None
    words = services().intake
    key = detect_request(text, words)
    if key is None:
        return None
    topic = services().catalog.get(str((words.types.get(key) or {}).get("topic", key)))
    if topic is None:
        return None
    ranking = (tracker.latest_message.get("intent_ranking") or [])[:TOP_RANKS]
    ranked = any(r.get("name") == topic.intent and float(r.get("confidence") or 0.0)
                 >= MIN_CONFIDENCE for r in ranking)
    return topic if ranked else None
