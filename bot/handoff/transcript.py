"""What the officer sees of a conversation: the messages and the collected slots, from the
tracker Rasa returns (GET /conversations/{id}/tracker)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

# Slots that are internal plumbing (or hold the owner's access token), never shown.
HIDDEN_SLOTS = frozenset({"requested_slot", "pending_offer", "pending_topic", "handoff",
                          "handoff_officer", "session_started_metadata"})


@dataclass(frozen=True)
class Line:
    author: Literal["owner", "bot", "officer"]
    text: str
    at: float | None
    officer: str | None = None
    intent: str | None = None  # for owner lines that were button payloads


@dataclass(frozen=True)
class Transcript:
    lines: tuple[Line, ...]
    slots: tuple[tuple[str, str], ...]
    paused: bool
    event_count: int


def _line(event: Mapping[str, Any]) -> Line | None:
    kind, at = event.get("event"), event.get("timestamp")
    text = event.get("text")
    if kind == "user" and isinstance(text, str):
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        return Line("owner", text, at, intent=intent if text.startswith("/") else None)
    if kind == "bot" and isinstance(text, str) and text:
        metadata = event.get("metadata") or {}
        if metadata.get("author") == "officer":
            return Line("officer", text, at, officer=str(metadata.get("officer") or ""))
        return Line("bot", text, at)
    return None


def _slot_value(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in value.items() if v is not None)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def build_transcript(tracker: Mapping[str, Any]) -> Transcript:
    events = [e for e in tracker.get("events") or [] if isinstance(e, Mapping)]
    lines = tuple(line for line in map(_line, events) if line is not None)
    raw_slots = tracker.get("slots") or {}
    slots = tuple(sorted((name, _slot_value(value)) for name, value in raw_slots.items()
                         if value not in (None, "", [], {}) and name not in HIDDEN_SLOTS))
    return Transcript(lines, slots, bool(tracker.get("paused")), len(events))
