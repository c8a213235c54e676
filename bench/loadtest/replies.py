"""What the load test checks in a reply, without Locust (so the project's tests can import
it): the locustfile imports this module by name from its own folder."""

from __future__ import annotations

import os
import threading
from typing import Any

APOLOGY_WORDS = ("liep iets mis aan onze kant",)  # utter_technical_problem


class Budget:
    """The run's messages: handed out one by one; the run ends when all are answered, or, once
    `stop_file` exists (the fault test's end), when the messages in flight are answered."""

    def __init__(self, total: int, stop_file: str | None = None) -> None:
        self.total = total
        self.stop_file = stop_file
        self.sent = 0
        self.in_flight = 0
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.sent >= self.total or self._stopped():
                return False
            self.sent += 1
            self.in_flight += 1
            return True

    def done(self) -> bool:
        """One message answered; True when it was the last one of the run."""
        with self.lock:
            self.in_flight -= 1
            return (self.sent >= self.total or self._stopped()) and self.in_flight == 0

    def idle(self) -> bool:
        """Nothing more to send and nothing in flight."""
        with self.lock:
            return (self.sent >= self.total or self._stopped()) and self.in_flight == 0

    def _stopped(self) -> bool:
        return self.stop_file is not None and os.path.exists(self.stop_file)


def offered(replies: list[dict[str, Any]]) -> dict[str, str]:
    return {b.get("title", ""): b.get("payload", "")
            for m in replies for b in (m.get("buttons") or [])}


def problem(replies: Any) -> str | None:
    """Why this reply is not an answer an owner could use, or None."""
    if not isinstance(replies, list) or not all(isinstance(m, dict) for m in replies):
        return "no JSON list"
    if not any(m.get("text") for m in replies):
        return "empty reply"
    if any(not isinstance(m.get("custom"), dict) for m in replies):
        return "reply without contract"
    if any(word in (m.get("text") or "").lower() for m in replies for word in APOLOGY_WORDS):
        return "apology"
    return None


def references(replies: list[dict[str, Any]], kind: str) -> set[str]:
    found = set()
    for message in replies:
        value = (message.get("custom") or {}).get(kind)
        if isinstance(value, dict) and value.get("reference"):
            found.add(str(value["reference"]))
    return found
