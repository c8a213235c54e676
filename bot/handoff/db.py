"""The web app's database (officers, sessions, hand-off requests, owner messages, audit log)
on the project's storage layer: SQLite under var/ locally (`HANDOFF_DB`), PostgreSQL in
production (`HANDOFF_DB_URL`). The schema is the `handoff` Alembic tree in
bot/storage/migrations/handoff/, applied when the database is first used."""

from __future__ import annotations

from pathlib import Path

from bot.storage.database import Database as StorageDatabase
from bot.storage.database import Transaction
from bot.storage.roles import HANDOFF
from bot.storage.urls import location_url

__all__ = ["Database", "Transaction", "ping"]


class Database(StorageDatabase):
    def __init__(self, location: Path | str) -> None:
        """`location`: a SQLite file path, `sqlite:///…` or `postgresql://…`."""
        super().__init__(location_url(location), HANDOFF)


async def ping(db: Database) -> None:
    """Raises when the hand-off database does not answer (readiness)."""
    await db.ping()
