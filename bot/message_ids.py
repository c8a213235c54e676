"""Stable ids of the bot's messages, so the web app can check that a vote is for a message the
bot really sent in that conversation.

The id of a bot message is derived from its conversation id, its timestamp and its text, all of
which Rasa keeps in the tracker (`bot` events) and hands to the output channel with the message.
The widget channel puts the id in every `bot_uttered` payload; the feedback API recomputes the
ids from the tracker. A message without a timestamp (our own apology when the bot produced
nothing) gets a random id, which can never be voted on."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

PREFIX = "b"


def bot_message_id(conversation_id: str, timestamp: Any, text: Any) -> str:
    if not isinstance(timestamp, (int, float)) or isinstance(timestamp, bool):
        return "r" + secrets.token_urlsafe(9)
    material = f"{conversation_id}\x00{float(timestamp)!r}\x00{text or ''}"
    digest = hashlib.sha256(material.encode("utf-8")).digest()
    return PREFIX + base64.urlsafe_b64encode(digest[:9]).decode("ascii")


def bot_messages(conversation_id: str, events: Iterable[Mapping[str, Any]]
                 ) -> dict[str, Mapping[str, Any]]:
    """{message id: bot event} for every bot message of a tracker."""
    found: dict[str, Mapping[str, Any]] = {}
    for event in events:
        if event.get("event") == "bot" and isinstance(event.get("timestamp"), (int, float)):
            found[bot_message_id(conversation_id, event["timestamp"], event.get("text"))] = event
    return found


def event_topic(event: Mapping[str, Any]) -> str | None:
    data = event.get("data")
    custom = data.get("custom") if isinstance(data, Mapping) else None
    topic = custom.get("topic") if isinstance(custom, Mapping) else None
    return topic if isinstance(topic, str) else None
