"""PostgreSQL backend (asyncpg pool). `schema` isolates an installation (and each test run)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

import asyncpg

from bot.dossiers.service.sql import SqlStorage, Tx

_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@lru_cache(maxsize=64)
def to_dollar_params(sql: str) -> str:
    """`?` placeholders -> `$1, $2, ...` (the queries contain no `?` inside literals)."""
    parts = sql.split("?")
    return "".join(part + (f"${i}" if i < len(parts) else "") for i, part in enumerate(parts, 1))


def _affected(status: str) -> int:
    """asyncpg returns e.g. "INSERT 0 1" or "UPDATE 3"; the last number is the row count."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class _PgTx:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, *args: Any) -> int:
        return _affected(await self._connection.execute(to_dollar_params(sql), *args))

    async def fetchone(self, sql: str, *args: Any) -> Mapping[str, Any] | None:
        row = await self._connection.fetchrow(to_dollar_params(sql), *args)
        return dict(row) if row is not None else None

    async def fetchall(self, sql: str, *args: Any) -> list[Mapping[str, Any]]:
        return [dict(row) for row in await self._connection.fetch(to_dollar_params(sql), *args)]


class PostgresStorage(SqlStorage):
    def __init__(self, dsn: str, *, schema: str | None = None, max_size: int = 10) -> None:
        if schema is not None and not _SCHEMA.fullmatch(schema):
            raise ValueError(f"invalid schema name: {schema!r}")
        self.dsn = dsn
        self.schema = schema
        self.max_size = max_size
        self._pool: asyncpg.Pool | None = None

    async def _get_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            settings = {"search_path": self.schema} if self.schema else None
            self._pool = await asyncpg.create_pool(
                self.dsn, min_size=1, max_size=self.max_size, server_settings=settings,
                command_timeout=10)
        return self._pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        pool = await self._get_pool()
        async with pool.acquire() as connection, connection.transaction():
            yield _PgTx(connection)

    def migration_target(self) -> tuple[str, str | None]:
        return self.dsn, self.schema  # the migrator creates the schema when it is missing

    def to_db_time(self, value: datetime) -> Any:
        return value

    def is_unique_violation(self, exc: BaseException) -> bool:
        return isinstance(exc, asyncpg.UniqueViolationError)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
