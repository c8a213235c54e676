"""The async database of one role: SQLAlchemy Core over aiosqlite (local) or asyncpg
(production), migrated to the newest revision before the first statement.

* SQLite: the file is created 0600 (`make_private`), WAL, foreign keys on; a write transaction
  starts with `BEGIN IMMEDIATE` (the writer lock up front, waiting up to 30 s for another
  process).
* Writers of one process queue on an asyncio lock (first come, first served, as with the old
  single connection), so a read-then-write transaction is never interleaved with another
  writer of the same process.
* PostgreSQL: a small pool; `Transaction.lock(name)` takes a transaction-scoped advisory lock
  where a read-then-write must not interleave across replicas.

Statements are `text()` with named parameters (`:name`); lists go through `expanding`
parameters (`IN :names` with `expanding=("names",)`)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.private_files import make_private
from bot.storage.migrate import SQLITE_BUSY_SECONDS, enable_wal, upgrade
from bot.storage.roles import Role
from bot.storage.urls import async_url, sqlite_path

Params = Mapping[str, Any]


def statement(sql: str, expanding: Sequence[str] = ()) -> sa.sql.elements.TextClause:
    """`text(sql)` with the named list parameters marked `expanding` (`IN :counters`)."""
    clause = sa.text(sql)
    if expanding:
        clause = clause.bindparams(*(sa.bindparam(name, expanding=True) for name in expanding))
    return clause


def _engine(url: str) -> AsyncEngine:
    path = sqlite_path(url)
    if path is None:
        return create_async_engine(async_url(url), pool_size=5, max_overflow=5,
                                   pool_pre_ping=True)
    make_private(path)
    engine = create_async_engine(async_url(url), poolclass=sa.pool.AsyncAdaptedQueuePool,
                                 pool_size=4, max_overflow=8,
                                 connect_args={"timeout": SQLITE_BUSY_SECONDS})

    @sa.event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # BEGIN comes from the "begin" hook below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        enable_wal(cursor.execute)
        cursor.close()

    @sa.event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: sa.engine.Connection) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Transaction:
    """The statements of one `Database.write()` block."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def fetch_all(self, sql: str, params: Params | None = None,
                        expanding: Sequence[str] = ()) -> list[RowMapping]:
        result = await self._connection.execute(statement(sql, expanding), dict(params or {}))
        return list(result.mappings().all())

    async def fetch_one(self, sql: str, params: Params | None = None,
                        expanding: Sequence[str] = ()) -> RowMapping | None:
        rows = await self.fetch_all(sql, params, expanding)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Params | None = None,
                      expanding: Sequence[str] = ()) -> int:
        """One statement; returns the number of rows it changed."""
        result = await self._connection.execute(statement(sql, expanding), dict(params or {}))
        return int(result.rowcount or 0)

    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        if rows:
            await self._connection.execute(sa.text(sql), [dict(row) for row in rows])

    async def lock(self, name: str) -> None:
        """Serialise this transaction with every other one taking the same lock (PostgreSQL
        advisory lock until commit; on SQLite the write transaction holds the file's lock)."""
        if self._connection.dialect.name == "postgresql":
            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            await self._connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                                           {"key": key})


class Database:
    def __init__(self, url: str, role: Role) -> None:
        self.url = url
        self.role = role
        self._engine: AsyncEngine | None = None
        self._open_lock = asyncio.Lock()
        self._write_lock = asyncio.Lock()

    @property
    def dialect(self) -> str:
        return "sqlite" if sqlite_path(self.url) is not None else "postgresql"

    async def engine(self) -> AsyncEngine:
        """Migrate (once per process) and open the engine."""
        async with self._open_lock:
            if self._engine is None:
                await asyncio.to_thread(upgrade, self.url, self.role)
                self._engine = _engine(self.url)
            return self._engine

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def fetch_all(self, sql: str, params: Params | None = None,
                        expanding: Sequence[str] = ()) -> list[RowMapping]:
        engine = await self.engine()
        async with engine.connect() as connection:
            result = await connection.execute(statement(sql, expanding), dict(params or {}))
            return list(result.mappings().all())

    async def fetch_one(self, sql: str, params: Params | None = None,
                        expanding: Sequence[str] = ()) -> RowMapping | None:
        rows = await self.fetch_all(sql, params, expanding)
        return rows[0] if rows else None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Transaction]:
        """A transaction: committed when the block ends, rolled back when it raises."""
        engine = await self.engine()
        async with self._write_lock, engine.connect() as connection:
            connection = await connection.execution_options(sqlite_immediate=True)
            async with connection.begin():
                yield Transaction(connection)

    async def execute(self, sql: str, params: Params | None = None,
                      expanding: Sequence[str] = ()) -> int:
        """One write statement in its own transaction; returns the number of changed rows."""
        async with self.write() as transaction:
            return await transaction.execute(sql, params, expanding)

    async def ping(self) -> None:
        """Raises when the database does not answer (readiness)."""
        await self.fetch_one("SELECT 1")
