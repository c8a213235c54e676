"""An officer takes over a conversation, replies in it, and hands it back to the bot.

While the officer has the conversation, Rasa keeps it paused (the action that queued it
returned `ConversationPaused`): the owner's messages are logged in the tracker but the bot does
not answer. Officer replies go through `OwnerDelivery.deliver_to_owner` (tracker event marked
`metadata.author = "officer"`, push, outbox); handing back appends `resume`, runs
an action that tells the owner the assistant is back, and an `action_listen` so the next
message is handled like any other."""

from __future__ import annotations

import logging
from typing import Literal

from bot.handoff.audit import AuditLog
from bot.handoff.broker import EventBroker
from bot.handoff.delivery import OwnerDelivery
from bot.handoff.models import HandoffRequest, Officer, OwnerMessage, Status
from bot.handoff.rasa_api import RasaApiError, TrackerApi
from bot.handoff.requests import RequestStore

logger = logging.getLogger(__name__)

MAX_REPLY_CHARS = 2000
JOINED_ACTION = "action_handoff_officer_joined"
BACK_ACTION = "action_handoff_back"
CLOSED_ACTION = "action_handoff_closed"


class TakeoverError(Exception):
    """The action is not possible in the request's current state (code names why)."""

    def __init__(self, code: Literal["not_queued", "not_yours", "not_live", "empty", "too_long",
                                     "already_closed"]) -> None:
        super().__init__(code)
        self.code = code


class Takeover:
    def __init__(self, requests: RequestStore, rasa: TrackerApi, delivery: OwnerDelivery,
                 audit: AuditLog, broker: EventBroker) -> None:
        self._requests = requests
        self._rasa = rasa
        self._delivery = delivery
        self._audit = audit
        self._broker = broker

    async def take(self, officer: Officer, request: HandoffRequest) -> bool:
        """Take a queued conversation. Returns False when the owner could not be told (Rasa
        unreachable); the conversation is taken either way."""
        if not await self._requests.take(request.id, officer.id):
            raise TakeoverError("not_queued")
        await self._audit.record(officer.id, "take", request.reference)
        self._changed(request)
        try:
            await self._rasa.append_events(request.conversation_id, [
                {"event": "pause"},  # already paused, unless the owner restarted meanwhile
                {"event": "slot", "name": "handoff_officer", "value": officer.display_name}])
            await self._run_and_deliver(request, JOINED_ACTION)
        except RasaApiError as error:
            logger.warning("hand-off %s: could not announce the officer: %s",
                           request.reference, error)
            return False
        return True

    async def reply(self, officer: Officer, request: HandoffRequest, text: str) -> None:
        text = text.strip()
        if not text:
            raise TakeoverError("empty")
        if len(text) > MAX_REPLY_CHARS:
            raise TakeoverError("too_long")
        self._require_owner(officer, request)
        await self._delivery.deliver_to_owner(
            request.conversation_id, OwnerMessage("officer", text, officer.display_name))
        await self._audit.record(officer.id, "reply", request.reference)
        self._broker.publish(request.counter, {"type": "transcript", "request_id": request.id})

    async def hand_back(self, officer: Officer, request: HandoffRequest) -> None:
        self._require_owner(officer, request)
        await self._resume(request, BACK_ACTION)
        await self._finish(officer, request, "returned", ("taken",), "hand_back")

    async def close(self, officer: Officer, request: HandoffRequest) -> None:
        """End a request: a live conversation (queued, or taken by this officer) goes back to
        the bot with a closing notice; a call-back request is marked done."""
        if request.status == "callback":
            await self._finish(officer, request, "closed", ("callback",), "close_callback")
            return
        if request.status == "taken":
            self._require_owner(officer, request)
        elif request.status != "queued":
            raise TakeoverError("already_closed")
        await self._resume(request, CLOSED_ACTION)
        await self._finish(officer, request, "closed", ("queued", "taken"), "close")

    def _require_owner(self, officer: Officer, request: HandoffRequest) -> None:
        if request.status != "taken":
            raise TakeoverError("not_live")
        if request.taken_by != officer.id:
            raise TakeoverError("not_yours")

    async def _resume(self, request: HandoffRequest, action: str) -> None:
        conversation = request.conversation_id
        await self._rasa.append_events(conversation, [{"event": "resume"}])
        await self._run_and_deliver(request, action)
        await self._rasa.append_events(conversation, [{"event": "action", "name": "action_listen"}])

    async def _finish(self, officer: Officer, request: HandoffRequest, status: Status,
                      from_statuses: tuple[Status, ...], action: str) -> None:
        if not await self._requests.finish(request.id, status, from_statuses):
            raise TakeoverError("already_closed")
        await self._audit.record(officer.id, action, request.reference)
        self._changed(request)

    async def _run_and_deliver(self, request: HandoffRequest, action: str) -> None:
        for message in await self._rasa.execute(request.conversation_id, action):
            text = message.get("text")
            if isinstance(text, str) and text:
                await self._delivery.deliver_to_owner(request.conversation_id,
                                                      OwnerMessage("bot", text))
        self._broker.publish(request.counter, {"type": "transcript", "request_id": request.id})

    def _changed(self, request: HandoffRequest) -> None:
        self._broker.publish(request.counter, {"type": "queue"})
        self._broker.publish(request.counter, {"type": "request", "request_id": request.id})
