"""Build rasa-sdk trackers inline, without a Rasa server or network."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def make_tracker(
    text: str,
    intent: str,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    ranking: list[dict[str, Any]] | None = None,
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9},
              "entities": entities or [], "intent_ranking": ranking or [],
              "metadata": metadata or {}}
    user_event = {"event": "user", "text": text, "parse_data": latest}
    return Tracker(sender_id="test", slots=slots or {}, latest_message=latest,
                   events=[*(events or []), user_event], paused=False, followup_action=None,
                   active_loop={}, latest_action_name="action_listen")


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
