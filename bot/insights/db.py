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
from abc import ABC, abstractmethod
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Protocol

from bot.storage.migrate import upgrade
from bot.storage.pg_pool import LazyPool
from bot.storage.roles import INSIGHTS
from bot.storage.sqlite_conn import SerialConnection
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


class SqliteDatabase(Database):
    """One connection; transactions serialised by a lock; `BEGIN IMMEDIATE`."""

    def __init__(self, path: Path) -> None:
        super().__init__(sqlite_url(path))
        self.path = path
        # The migration creates the file 0600 (and its folder 0700) before it is opened.
        self.connection = SerialConnection(path, before_first=self.migrate)

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        return self.connection.transaction()

    async def close(self) -> None:
        await self.connection.close()


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
