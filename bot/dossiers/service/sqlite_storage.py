"""SQLite backend: one connection of the storage layer (bot/storage/sqlite_conn.py), with
foreign keys on."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.dossiers.service.sql import SqlStorage, Tx
from bot.storage.sqlite_conn import SerialConnection
from bot.storage.urls import sqlite_url


class SqliteStorage(SqlStorage):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.connection = SerialConnection(path, foreign_keys=True)

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        return self.connection.transaction()

    def migration_target(self) -> tuple[str, str | None]:
        return sqlite_url(self.path), None

    def to_db_time(self, value: datetime) -> Any:
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")

    def is_unique_violation(self, exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)

    async def close(self) -> None:
        await self.connection.close()
