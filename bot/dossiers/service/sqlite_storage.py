"""SQLite backend (aiosqlite): one connection, transactions serialised by an asyncio lock,
`BEGIN IMMEDIATE` so a second process on the same file waits instead of failing late."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiosqlite

from bot.dossiers.service.sql import SqlStorage, Tx
from bot.storage.urls import sqlite_url


class _SqliteTx:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, *args: Any) -> int:
        cursor = await self._connection.execute(sql, args)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def fetchone(self, sql: str, *args: Any) -> Mapping[str, Any] | None:
        async with self._connection.execute(sql, args) as cursor:
            row = await cursor.fetchone()
        return dict(row) if row is not None else None

    async def fetchall(self, sql: str, *args: Any) -> list[Mapping[str, Any]]:
        async with self._connection.execute(sql, args) as cursor:
            rows = await cursor.fetchall()
        return [dict(row) for row in rows]


class SqliteStorage(SqlStorage):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def _connect(self) -> aiosqlite.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = await aiosqlite.connect(self.path, isolation_level=None)
            connection.row_factory = sqlite3.Row
            await connection.execute("PRAGMA foreign_keys = ON")
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA busy_timeout = 5000")
            self._connection = connection
        return self._connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._lock:
            connection = await self._connect()
            await connection.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTx(connection)
            except BaseException:
                await connection.execute("ROLLBACK")
                raise
            await connection.execute("COMMIT")

    def migration_target(self) -> tuple[str, str | None]:
        return sqlite_url(self.path), None

    def to_db_time(self, value: datetime) -> Any:
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")

    def is_unique_violation(self, exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
