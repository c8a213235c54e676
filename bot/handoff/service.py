"""The decision when an owner asks for a person: join the counter's live queue, or leave a
call-back request. Called by the action server through the internal API.

At most one open request per conversation (asking again returns it), and at most
`max_waiting` waiting requests per counter (HANDOFF_MAX_WAITING_PER_COUNTER): beyond that the
outcome is `full` and the owner is told to try later or contact the counter directly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.handoff.broker import EventBroker
from bot.handoff.contact import ContactDetail
from bot.handoff.models import HandoffRequest
from bot.handoff.officers import OfficerStore
from bot.handoff.requests import NewRequest, RequestStore

DEFAULT_MAX_WAITING = 30


@dataclass(frozen=True)
class Outcome:
    status: Literal["queued", "callback", "full"]
    reference: str | None  # None when full
    position: int | None
    owner_token: str | None  # None when an existing request was returned (token already given)


class HandoffService:
    def __init__(self, requests: RequestStore, officers: OfficerStore, broker: EventBroker,
                 presence_seconds: float, max_waiting: int = DEFAULT_MAX_WAITING) -> None:
        self._requests = requests
        self._officers = officers
        self._broker = broker
        self._presence = presence_seconds
        self.max_waiting = max_waiting

    async def submit(self, new: NewRequest, counter_open: bool) -> Outcome:
        """Queue when the counter is open and one of its officers is available; otherwise a
        call-back request. Asking twice in one conversation returns the open request, also
        when both requests arrive at once; a counter with too many waiting gives `full`."""
        existing = await self._requests.open_for_conversation(new.conversation_id)
        if existing is not None:
            return await self._outcome(existing, None)
        live = counter_open and await self._officers.available(new.counter, self._presence)
        created, request, token = await self._requests.open_or_create(
            new, "live" if live else "callback", self.max_waiting)
        if request is None:
            return Outcome("full", None, None, None)
        if created == "created":
            self._broker.publish(request.counter, {"type": "queue"})
        return await self._outcome(request, token)

    async def _outcome(self, request: HandoffRequest, token: str | None) -> Outcome:
        status: Literal["queued", "callback"] = (
            "callback" if request.kind == "callback" else "queued")
        return Outcome(status, request.reference, await self._requests.position(request), token)

    async def save_contact(self, reference: str, conversation_id: str,
                           contact: ContactDetail) -> HandoffRequest | None:
        """Attach the owner's phone or e-mail to their own open call-back request."""
        request = await self._requests.by_reference(reference)
        if request is None or request.conversation_id != conversation_id:
            return None
        if not await self._requests.set_contact(request.id, contact.kind, contact.value):
            return None
        self._broker.publish(request.counter, {"type": "queue"})
        return request
