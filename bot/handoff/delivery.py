"""Getting hand-off messages to the owner."""

from __future__ import annotations

from bot.handoff.models import OwnerMessage, StoredMessage
from bot.handoff.outbox import Outbox


class OwnerDelivery:
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    async def deliver_to_owner(self, conversation_id: str, message: OwnerMessage) -> StoredMessage:
        """The single place where officer replies and hand-off notices leave for the owner.

        Today: stored in the outbox, which our chat page polls (`GET /api/chat/updates`) and
        REST clients read (`GET /api/handoff/{conversation_id}/messages`). A socket.io push
        belongs here too."""
        return await self._outbox.add(conversation_id, message)
