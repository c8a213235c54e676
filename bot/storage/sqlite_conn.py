"""The aiosqlite side of the stores that run their own statements (dossier service, insights):
one connection per store, opened by the first transaction, transactions serialised by a lock
and begun with `BEGIN IMMEDIATE`, so a second process on the same file waits for the writer
lock up front instead of failing late. WAL journal, a 5 s busy timeout."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite


class SqliteTx:
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


class SerialConnection:
    """`before_first` runs once before the file is opened (e.g. the migration, which creates
    it 0600); `foreign_keys` turns SQLite's foreign key checks on."""

    def __init__(self, path: Path, *, foreign_keys: bool = False,
                 before_first: Callable[[], Awaitable[None]] | None = None) -> None:
        self.path = path
        self._foreign_keys = foreign_keys
        self._before_first = before_first
        self._connection: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def _connect(self) -> aiosqlite.Connection:
        if self._connection is None:
            if self._before_first is not None:
                await self._before_first()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = await aiosqlite.connect(self.path, isolation_level=None)
            connection.row_factory = sqlite3.Row
            if self._foreign_keys:
                await connection.execute("PRAGMA foreign_keys = ON")
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA busy_timeout = 5000")
            self._connection = connection
        return self._connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteTx]:
        async with self._lock:
            connection = await self._connect()
            await connection.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteTx(connection)
            except BaseException:
                await connection.execute("ROLLBACK")
                raise
            await connection.execute("COMMIT")

    async def close(self) -> None:
        # Not behind the lock: a transaction that never ends must not keep a shutdown waiting.
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()
