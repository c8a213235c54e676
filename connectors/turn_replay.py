"""A message sent again with the same turn id is answered from the stored turn, not handled a
second time.

In the production profile HAProxy gives every REST message an `X-Turn-Id` (unless the client
sent one) and resends a message once when the Rasa replica that had it died without an answer
(`retry-on empty-response`, deploy/haproxy/haproxy.cfg.tmpl). A replica killed after it saved
the turn but before it answered left that turn in the shared tracker store: handled again, the
owner's message would be in the conversation twice, with its events published once. The turn
id is the user event's `message_id`, so the replica that gets the resent message finds the
turn already there and answers with what the bot said in it, and publishes that turn's events
again (the dead replica may have died before it published them; the insights consumer skips
repeats by their keys). A client (the web chat on a flaky connection) may send the header
itself and retry safely; ids are per conversation."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from rasa.shared.core.events import BotUttered, UserUttered

from connectors.saved_turns import store_with

logger = logging.getLogger(__name__)
TURN_ID_HEADER = "X-Turn-Id"
TURN_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
MESSAGE_KEYS = ("text", "buttons", "quick_replies", "image", "attachment", "elements")


def turn_id(headers: Mapping[str, str]) -> str | None:
    """The message's turn id when it has a well-formed one (anything else is ignored)."""
    value = (headers.get(TURN_ID_HEADER) or "").strip()
    return value if TURN_ID.fullmatch(value) else None


def turn_start(events: list[Any], message_id: str) -> int | None:
    """Where the turn of the owner message with this id starts (the last such message)."""
    return next((i for i in range(len(events) - 1, -1, -1)
                 if isinstance(events[i], UserUttered) and events[i].message_id == message_id),
                None)


def bot_messages_after(events: list[Any], message_id: str, recipient_id: str
                       ) -> list[dict[str, Any]] | None:
    """What the bot said after the user event with this message id, as the REST channel sends
    it; None when the conversation has no such user event."""
    start = turn_start(events, message_id)
    if start is None:
        return None
    messages: list[dict[str, Any]] = []
    for event in events[start + 1:]:
        if isinstance(event, UserUttered):
            break
        if not isinstance(event, BotUttered):
            continue
        item: dict[str, Any] = {"recipient_id": recipient_id}
        data = event.data or {}
        for key in MESSAGE_KEYS:
            value = event.text if key == "text" else data.get(key)
            if value:
                item[key] = value
        if data.get("custom"):
            item["custom"] = data["custom"]
        messages.append(item)
    return messages


async def stored_reply(agent: Any, sender_id: str, message_id: str
                       ) -> list[dict[str, Any]] | None:
    """The reply of the stored turn with this id, or None when this message is new. Costs one
    indexed read of the conversation's last user event; the whole tracker only on a resend."""
    store = store_with(getattr(agent, "tracker_store", None), "last_user_message_id")
    try:
        if store is None or store.last_user_message_id(sender_id) != message_id:
            return None
        tracker = await store.retrieve(sender_id)
    except Exception:  # the store is away: handle the message as new, as without an id
        logger.exception("turn replay: reading the stored turn failed")
        return None
    events = list(tracker.events) if tracker else []
    start = turn_start(events, message_id)
    if start is None:
        return None
    # The replica that died may have stored the turn before it published its events. They go
    # out again from here: the same events give the same keys, so the insights consumer skips
    # the ones it already has.
    try:
        await store.publish_again(sender_id, [event.as_dict() for event in events[start:]])
    except Exception:
        logger.exception("turn replay: publishing the stored turn again failed")
    return bot_messages_after(events, message_id, sender_id)
