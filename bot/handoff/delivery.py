"""Getting hand-off messages to the owner."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.handoff.models import OwnerMessage, StoredMessage
from bot.handoff.outbox import Outbox
from bot.handoff.rasa_api import TrackerApi


class OwnerDelivery:
    def __init__(self, outbox: Outbox, rasa: TrackerApi,
                 clock: Callable[[], float] = time.time) -> None:
        self._outbox = outbox
        self._rasa = rasa
        self._clock = clock

    async def deliver_to_owner(self, conversation_id: str, message: OwnerMessage) -> StoredMessage:
        """The single place where officer replies and hand-off notices leave for the owner.

        * An officer's reply is appended to the conversation in Rasa as a `bot` event marked
          `metadata.author = "officer"`, with side effects on the owner's latest channel: Rasa
          pushes it to a socket.io client itself (a REST channel has nothing to push to).
          Notices (`message.author == "bot"`) come from actions Rasa ran, so they are in the
          conversation and were pushed already.
        * Every message is kept in the outbox, which our chat page polls
          (`GET /api/chat/updates`) and REST clients read
          (`GET /api/handoff/{conversation_id}/messages`)."""
        if message.author == "officer":
            await self._rasa.append_events(conversation_id, [{
                "event": "bot", "text": message.text, "timestamp": self._clock(),
                "metadata": {"author": "officer", "officer": message.officer}}],
                push=True)
        return await self._outbox.add(conversation_id, message)
