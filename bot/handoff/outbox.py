"""Messages for owners (officer replies and notices) kept for polling clients."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.handoff.db import Database
from bot.handoff.models import OwnerMessage, StoredMessage


class Outbox:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock

    async def add(self, conversation_id: str, message: OwnerMessage) -> StoredMessage:
        at = self._clock()
        async with self._db.write() as tx:
            row = await tx.fetch_one(
                "INSERT INTO messages (conversation_id, author, officer, text, created_at)"
                " VALUES (:conversation_id, :author, :officer, :text, :at) RETURNING id",
                {"conversation_id": conversation_id, "author": message.author,
                 "officer": message.officer, "text": message.text, "at": at})
        assert row is not None
        return StoredMessage(int(row["id"]), conversation_id, message.author, message.officer,
                             message.text, at)

    async def after(self, conversation_id: str, after_id: int = 0, limit: int = 100
                    ) -> list[StoredMessage]:
        rows = await self._db.fetch_all(
            "SELECT * FROM messages WHERE conversation_id = :conversation_id AND id > :after"
            " ORDER BY id LIMIT :limit",
            {"conversation_id": conversation_id, "after": after_id, "limit": limit})
        return [StoredMessage(r["id"], r["conversation_id"], r["author"], r["officer"], r["text"],
                              r["created_at"]) for r in rows]
