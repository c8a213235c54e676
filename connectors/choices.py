"""Buttons on channels without them: a numbered list, and the owner's number back to a button.

`as_numbered_text` turns a message with buttons into text with "1. …", "2. …" and a hint; when
the owner then answers "2" (or the exact title), `choice_payload` gives the payload of that
button. The buttons on offer are read from the conversation itself (`offered_buttons`), so this
works across restarts and workers without extra state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from connectors.channel_texts import channel_texts

_NUMBER = re.compile(r"\s*(\d{1,2})\s*[.)]?\s*")
URL_PAYLOAD = re.compile(r"https?://\S+")


def buttons_of(message: Mapping[str, Any]) -> list[dict[str, str]]:
    raw = message.get("buttons") or message.get("quick_replies") or []
    return [{"title": str(b["title"]), "payload": str(b.get("payload") or b["title"])}
            for b in raw if isinstance(b, Mapping) and b.get("title")] \
        if isinstance(raw, list) else []


def as_numbered_text(text: str, buttons: Sequence[Mapping[str, str]]) -> str:
    if not buttons:
        return text
    lines = []
    for number, button in enumerate(buttons, start=1):
        link = button["payload"] if URL_PAYLOAD.fullmatch(button["payload"]) else ""
        lines.append(f"{number}. {button['title']}" + (f": {link}" if link else ""))
    parts = [text.strip()] if text and text.strip() else []
    return "\n\n".join([*parts, "\n".join(lines), channel_texts()["choose_by_number"]])


def choice_payload(reply: str, buttons: Sequence[Mapping[str, str]]) -> str | None:
    """The payload of the button the owner picked by number or by its exact title."""
    if not buttons or not isinstance(reply, str):
        return None
    number = _NUMBER.fullmatch(reply)
    if number:
        index = int(number.group(1))
        return buttons[index - 1]["payload"] if 1 <= index <= len(buttons) else None
    wanted = reply.strip().casefold()
    for button in buttons:
        if button["title"].strip().casefold() == wanted:
            return button["payload"]
    return None


def offered_buttons(events: Iterable[Any]) -> list[dict[str, str]]:
    """Buttons of the bot's last turn (Rasa tracker events, newest last); none once the owner
    has written since."""
    for event in reversed(list(events)):
        kind = getattr(event, "type_name", None)
        if kind == "user":
            return []
        if kind == "bot":
            buttons = buttons_of(getattr(event, "data", None) or {})
            if buttons:
                return buttons
    return []


async def resolve_reply(agent: Any, sender_id: str, text: str) -> str:
    """The owner's text, or the payload of the button they picked by number or title."""
    if agent is None or not text:
        return text
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None:
        return text
    return choice_payload(text, offered_buttons(tracker.events)) or text
