"""Client the action server uses to reach the hand-off service (our web app's internal API).

Short timeouts: the owner is waiting for an answer, and the action falls back to showing the
counter's contact details when the service does not answer."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp


class HandoffUnavailable(Exception):
    """The hand-off service is not configured, not reachable, or refused the request."""


class HandoffFull(HandoffUnavailable):
    """The counter has too many requests waiting; nothing was stored."""


@dataclass(frozen=True)
class SubmitResult:
    status: str  # queued | callback
    reference: str
    position: int | None
    token: str | None


class HandoffClient:
    def __init__(self, base_url: str, token: str, timeout_seconds: float = 2.5) -> None:
        self._base = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds, connect=1.0)

    async def _post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        if not self._token:
            raise HandoffUnavailable("HANDOFF_SERVICE_TOKEN is not set")
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            async with aiohttp.ClientSession(timeout=self._timeout) as session, \
                    session.post(self._base + path, json=dict(body), headers=headers) as response:
                if response.status != 200:
                    raise HandoffUnavailable(f"status {response.status}")
                data = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise HandoffUnavailable(type(error).__name__) from error
        if not isinstance(data, dict):
            raise HandoffUnavailable("unexpected answer")
        return data

    async def submit(self, request: Mapping[str, Any]) -> SubmitResult:
        """Body: conversation_id, counter, counter_name, counter_open, municipality, topic,
        topic_title, summary."""
        data = await self._post("/api/handoff/requests", request)
        status, reference = data.get("status"), data.get("reference")
        if status == "full":
            raise HandoffFull("the counter's queue is full")
        if status not in ("queued", "callback") or not isinstance(reference, str):
            raise HandoffUnavailable("unexpected answer")
        position = data.get("position")
        token = data.get("token")
        return SubmitResult(status, reference, position if isinstance(position, int) else None,
                            token if isinstance(token, str) else None)

    async def erase_conversation(self, conversation_id: str) -> None:
        """Delete what the web app keeps of the conversation (hand-off requests, transcript,
        feedback); raises HandoffUnavailable when that did not happen."""
        data = await self._post("/api/conversations/erase", {"conversation_id": conversation_id})
        if data.get("erased") is not True:
            raise HandoffUnavailable("not erased")

    async def save_contact(self, reference: str, conversation_id: str, text: str) -> str:
        """Send the owner's phone number or e-mail address; returns its kind (phone|email)."""
        data = await self._post("/api/handoff/contact", {
            "reference": reference, "conversation_id": conversation_id, "contact": text})
        kind = data.get("kind")
        if kind not in ("phone", "email"):
            raise HandoffUnavailable("unexpected answer")
        return str(kind)
