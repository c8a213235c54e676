"""PostgreSQL backend (asyncpg pool). `schema` isolates an installation (and each test run)."""

from __future__ import annotations

import re
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

import asyncpg

from bot.dossiers.service.sql import SqlStorage, Tx
from bot.storage.pg_pool import LazyPool

_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class PostgresStorage(SqlStorage):
    ROW_LOCK = " FOR UPDATE"

    def __init__(self, dsn: str, *, schema: str | None = None, max_size: int = 10) -> None:
        if schema is not None and not _SCHEMA.fullmatch(schema):
            raise ValueError(f"invalid schema name: {schema!r}")
        self.dsn = dsn
        self.schema = schema
        self.pool = LazyPool(dsn, max_size=max_size, schema=schema)

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        return self.pool.transaction()

    def migration_target(self) -> tuple[str, str | None]:
        return self.dsn, self.schema  # the migrator creates the schema when it is missing

    def to_db_time(self, value: datetime) -> Any:
        return value

    def is_unique_violation(self, exc: BaseException) -> bool:
        return isinstance(exc, asyncpg.UniqueViolationError)

    async def close(self) -> None:
        await self.pool.close()
