"""What the web widget sends and receives over socket.io, cleaned and shaped in one place.

* `page_metadata`: the page context a widget sends (tenant, municipality name, NIS code), with
  anything else dropped, so the bot never sees arbitrary client data;
* `widget_payload`: one `bot_uttered` payload per bot message: text, quick replies, the public
  reply contract under `custom`, who wrote it (`metadata.author == "officer"` during a
  hand-off) and which response it was (`metadata.utter_action`), plus an id for feedback
  (`bot.message_ids`: derived from conversation, timestamp and text, so the web app can check
  against the tracker that a vote is for a message the bot really sent).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from bot.contract import MARKER, is_contract, public
from bot.message_ids import bot_message_id

SESSION_ID_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_TENANT_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_NIS_RE = re.compile(r"\d{5}")
_NAME_RE = re.compile(r"[^\W\d_][\w' .-]{0,59}")
_META_KEYS = ("author", "officer", "utter_action")
MAX_BUTTONS = 12


def valid_session_id(value: Any) -> str | None:
    return value if isinstance(value, str) and SESSION_ID_RE.fullmatch(value) else None


def page_metadata(raw: Any) -> dict[str, str]:
    """The page context of a widget message: only known keys with plausible values."""
    if isinstance(raw, str) and len(raw) < 2000:
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    if not isinstance(raw, Mapping):
        return {}
    checks = {"tenant": _TENANT_RE, "nis": _NIS_RE, "municipality": _NAME_RE}
    cleaned: dict[str, str] = {}
    for key, pattern in checks.items():
        value = raw.get(key)
        if isinstance(value, str) and pattern.fullmatch(value.strip()):
            cleaned[key] = value.strip()
    return cleaned


def _choices(message: Mapping[str, Any]) -> list[dict[str, str]]:
    raw = message.get("quick_replies") or message.get("buttons") or []
    choices = []
    for button in raw[:MAX_BUTTONS] if isinstance(raw, list) else []:
        if isinstance(button, Mapping) and button.get("title"):
            choices.append({"content_type": "text", "title": str(button["title"]),
                            "payload": str(button.get("payload") or button["title"])})
    return choices


def _custom(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    if is_contract(value):
        return public(value)
    return {key: item for key, item in value.items() if key != MARKER}


def widget_payload(message: Mapping[str, Any]) -> dict[str, Any]:
    """The `bot_uttered` payload of one bot message (as Rasa hands it to an output channel,
    with its `recipient_id`)."""
    payload: dict[str, Any] = {"id": bot_message_id(
        str(message.get("recipient_id") or ""), message.get("timestamp"), message.get("text"))}
    if isinstance(message.get("text"), str) and message["text"].strip():
        payload["text"] = message["text"].strip()
    choices = _choices(message)
    if choices:
        payload["quick_replies"] = choices
    custom = _custom(message.get("custom"))
    if custom is not None:
        payload["custom"] = custom
    raw_meta = message.get("metadata")
    nested: Mapping[str, Any] = raw_meta if isinstance(raw_meta, Mapping) else {}
    meta = {key: str(value) for source in (nested, message) for key in _META_KEYS
            if isinstance(value := source.get(key), str) and value}
    if meta:
        payload["metadata"] = meta
    return payload
