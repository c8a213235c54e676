"""A short summary of what the owner said, for the officer's queue."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MAX_MESSAGES = 3
MAX_CHARS = 400
SEPARATOR = " · "


def summarize(events: Iterable[Mapping[str, Any]]) -> str:
    """The owner's last few typed messages (button payloads left out), oldest first."""
    texts: list[str] = []
    for event in reversed(list(events)):
        text = event.get("text") if event.get("event") == "user" else None
        if isinstance(text, str) and text.strip() and not text.startswith("/"):
            texts.append(" ".join(text.split()))
            if len(texts) == MAX_MESSAGES:
                break
    summary = SEPARATOR.join(reversed(texts))
    return summary if len(summary) <= MAX_CHARS else summary[: MAX_CHARS - 1] + "…"
