"""Rasa events reduced to what the insights need, privacy by construction.

`slim_event` keeps, per event type, only: the conversation as a keyed hash (HMAC-SHA256 with
INSIGHTS_HASH_KEY), the timestamp, intent and confidence, the channel, the reply contract of
bot messages (`data.custom`: topic, nis, counter, handoff, dossier) with the dossier reference
hashed, the name of the utterance, the hashed message id (to join feedback), the context slots
of the contract, the form's requested slot (a slot name), whether an officer joined (not who),
and the user's text masked (`bot.privacy.mask_pii` plus long numbers), which
is stored later only when the bot could not answer. Names, e-mail addresses, phone and
enterprise numbers in dossier and contact forms are slot values, which are never kept."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Any

from bot.message_ids import bot_message_id
from bot.privacy import mask_pii

# Slots that make up the conversation context of the reply contract, plus what we need to
# recognise a dossier being started and the tenant.
CONTEXT_SLOTS = frozenset({"municipality", "nis", "counter", "handoff", "dossier", "tenant",
                           "dossier_type", "requested_slot", "handoff_officer"})
KEPT_EVENTS = frozenset({"user", "bot", "slot", "action", "active_loop", "pause", "resume",
                         "restart", "session_started"})
MAX_TEXT = 300
_LONG_NUMBER = re.compile(r"\d[\d\s./-]{4,}\d")
_CONTRACT_KEYS = ("topic", "municipality", "nis", "counter", "handoff", "dossier", "_contract")


class Hasher:
    """Keyed hashes: the same input gives the same hash within one key, nothing reversible."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, *parts: str) -> str:
        material = "\x00".join(parts).encode("utf-8")
        return hmac.new(self._key, material, hashlib.sha256).hexdigest()[:32]


def event_key(event: Mapping[str, Any]) -> str:
    """Unique key of one event: the digest of its canonical JSON. A redelivered or re-read
    event has the same key; two different events never do (their timestamps differ)."""
    canonical = json.dumps(event, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def mask_text(text: Any) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    masked = _LONG_NUMBER.sub("[number]", mask_pii(text.strip()))
    return masked[:MAX_TEXT]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def _contract(custom: Any, hasher: Hasher) -> dict[str, Any] | None:
    if not isinstance(custom, Mapping):
        return None
    kept: dict[str, Any] = {key: custom[key] for key in _CONTRACT_KEYS if key in custom}
    handoff = kept.get("handoff")
    if isinstance(handoff, Mapping):
        kept["handoff"] = _handoff(handoff, hasher)
    dossier = kept.get("dossier")
    if isinstance(dossier, Mapping):
        kept["dossier"] = _dossier(dossier, hasher)
    return kept


def _handoff(value: Mapping[str, Any], hasher: Hasher) -> dict[str, Any]:
    reference = value.get("reference")
    return {"status": value.get("status"), "counter": value.get("counter"),
            "ref": hasher("handoff", str(reference)) if reference else None}


def _dossier(value: Mapping[str, Any], hasher: Hasher) -> dict[str, Any]:
    reference = value.get("reference")
    return {"type": value.get("type"), "status": value.get("status"),
            "counter": value.get("counter"),
            "ref": hasher("dossier", str(reference)) if reference else None}


def _slot_value(name: str, value: Any, hasher: Hasher) -> Any:
    if name == "handoff" and isinstance(value, Mapping):
        return _handoff(value, hasher)
    if name == "dossier" and isinstance(value, Mapping):
        return _dossier(value, hasher)
    if name == "handoff_officer":  # an officer joined: only that, never the officer's name
        return "joined" if value else None
    return value if isinstance(value, (str, type(None))) else None


def slim_event(event: Mapping[str, Any], hasher: Hasher) -> dict[str, Any] | None:
    """The event as the insights keep it, or None when it carries nothing for them."""
    kind = event.get("event")
    sender = event.get("sender_id")
    if kind not in KEPT_EVENTS or not isinstance(sender, str) or not sender:
        return None
    slim: dict[str, Any] = {"event": kind, "conversation": hasher("conversation", sender),
                            "ts": _number(event.get("timestamp"))}
    if kind == "user":
        parse = _mapping(event.get("parse_data"))
        intent = _mapping(parse.get("intent"))
        slim.update(intent=intent.get("name") if isinstance(intent.get("name"), str) else None,
                    confidence=_number(intent.get("confidence")),
                    channel=event.get("input_channel")
                    if isinstance(event.get("input_channel"), str) else None,
                    text=mask_text(event.get("text")))
    elif kind == "bot":
        data = _mapping(event.get("data"))
        metadata = _mapping(event.get("metadata"))
        utter = metadata.get("utter_action")
        slim.update(custom=_contract(data.get("custom"), hasher),
                    utter=utter if isinstance(utter, str) else None,
                    message=hasher("message", bot_message_id(sender, event.get("timestamp"),
                                                             event.get("text"))))
    elif kind == "slot":
        name = event.get("name")
        if name not in CONTEXT_SLOTS:
            return None
        slim.update(name=name, value=_slot_value(str(name), event.get("value"), hasher))
    elif kind in ("action", "active_loop"):
        name = event.get("name")
        slim["name"] = name if isinstance(name, str) else None
    return slim
