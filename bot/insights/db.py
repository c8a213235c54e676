"""The analytics database: SQLite (aiosqlite) locally, PostgreSQL (asyncpg) in production,
behind one small transaction interface. Queries use `?` placeholders; the PostgreSQL backend
rewrites them to `$n`. `open_database(url)` picks the backend from the URL.

The schema is the storage layer's role `insights` (bot/storage/migrations/insights/): the
first transaction of a `Database` (or `migrate()`, which the consumer calls on start) brings
the database to the newest migration, once per instance, advisory-locked on PostgreSQL. A
SQLite file is created 0600. The statements themselves run on the drivers directly (no
SQLAlchemy layer per statement): the consumer writes thousands of rows per batch."""

from __future__ import annotations

import asyncio
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

from bot.storage.migrate import upgrade
from bot.storage.pg_pool import LazyPool
from bot.storage.roles import INSIGHTS
from bot.storage.urls import SQLITE, is_postgres, sqlite_url


class Tx(Protocol):
    async def execute(self, sql: str, *args: Any) -> int: ...
    async def fetchone(self, sql: str, *args: Any) -> Mapping[str, Any] | None: ...
    async def fetchall(self, sql: str, *args: Any) -> list[Mapping[str, Any]]: ...


class Database(ABC):
    def __init__(self, url: str, schema: str | None = None) -> None:
        self.url = url
        self.schema = schema
        self._migrated = False
        self._migrate_lock = asyncio.Lock()

    async def migrate(self) -> None:
        """Alembic `upgrade head` of the `insights` role, once per instance (the storage
        layer serialises concurrent processes)."""
        async with self._migrate_lock:
            if not self._migrated:
                await asyncio.to_thread(upgrade, self.url, INSIGHTS, "head", self.schema)
                self._migrated = True

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Tx]: ...

    @abstractmethod
    async def close(self) -> None: ...


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


class SqliteDatabase(Database):
    """One connection; transactions serialised by a lock; `BEGIN IMMEDIATE`."""

    def __init__(self, path: Path) -> None:
        super().__init__(sqlite_url(path))
        self.path = path
        self._connection: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def _connect(self) -> aiosqlite.Connection:
        if self._connection is None:
            await self.migrate()  # creates the file 0600 (and its folder 0700)
            connection = await aiosqlite.connect(self.path, isolation_level=None)
            connection.row_factory = sqlite3.Row
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

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None


class PostgresDatabase(Database):
    """A small pool; `schema` (an installation's or a test's own) is created by the migration
    and is the pool's `search_path`."""

    def __init__(self, dsn: str, *, schema: str | None = None) -> None:
        super().__init__(dsn, schema)
        self.dsn = dsn
        self.pool = LazyPool(dsn, max_size=4, schema=schema, before_first=self.migrate)

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        return self.pool.transaction()

    async def close(self) -> None:
        await self.pool.close()


def open_database(url: str, *, schema: str | None = None) -> Database:
    if url.startswith(SQLITE):
        return SqliteDatabase(Path(url.removeprefix(SQLITE)))
    if is_postgres(url):
        return PostgresDatabase(url, schema=schema)
    raise ValueError("INSIGHTS_DB_URL must be sqlite:///… or postgresql://…")
