"""What the load test checks in a reply, without Locust (so the project's tests can import
it): the locustfile imports this module by name from its own folder."""

from __future__ import annotations

import threading
from typing import Any

APOLOGY_WORDS = ("liep iets mis aan onze kant",)  # utter_technical_problem
CONTRACT_MARKER = "_contract"


class Budget:
    """The run's messages: handed out one by one; the run ends when all are answered."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.sent = 0
        self.in_flight = 0
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.sent >= self.total:
                return False
            self.sent += 1
            self.in_flight += 1
            return True

    def done(self) -> bool:
        """One message answered; True when it was the last one of the run."""
        with self.lock:
            self.in_flight -= 1
            return self.sent >= self.total and self.in_flight == 0


def offered(replies: list[dict[str, Any]]) -> dict[str, str]:
    return {b.get("title", ""): b.get("payload", "")
            for m in replies for b in (m.get("buttons") or [])}


def problem(replies: Any) -> str | None:
    """Why this reply is not an answer an owner could use, or None."""
    if not isinstance(replies, list) or not all(isinstance(m, dict) for m in replies):
        return "no JSON list"
    if not any(m.get("text") for m in replies):
        return "empty reply"
    if any(not isinstance((m.get("custom") or {}).get(CONTRACT_MARKER), (int, str, dict))
           for m in replies):
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
