"""The asyncpg side of the stores that run their own statements (dossier service, insights):
one lazily created pool per store, transactions with `?` placeholders, and a close that
cannot hang.

asyncpg's `Pool.close()` waits for every acquired connection to come back, without a limit:
a task cancelled in the middle of a transaction at shutdown kept a web app (and once CI) from
ever exiting. `LazyPool.close` waits a few seconds, then terminates what is left."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import asyncpg

logger = logging.getLogger(__name__)

CLOSE_SECONDS = 5.0


@lru_cache(maxsize=128)
def to_dollar_params(sql: str) -> str:
    """`?` placeholders -> `$1, $2, ...` (our queries have no `?` inside literals)."""
    parts = sql.split("?")
    return "".join(part + (f"${i}" if i < len(parts) else "") for i, part in enumerate(parts, 1))


def affected(status: str) -> int:
    """asyncpg returns e.g. "INSERT 0 1" or "UPDATE 3"; the last number is the row count."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PgTx:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, *args: Any) -> int:
        return affected(await self._connection.execute(to_dollar_params(sql), *args))

    async def fetchone(self, sql: str, *args: Any) -> Mapping[str, Any] | None:
        row = await self._connection.fetchrow(to_dollar_params(sql), *args)
        return dict(row) if row is not None else None

    async def fetchall(self, sql: str, *args: Any) -> list[Mapping[str, Any]]:
        return [dict(row) for row in await self._connection.fetch(to_dollar_params(sql), *args)]


class LazyPool:
    """Created by the first transaction (after `before_first`, e.g. the migration), once even
    when several tasks ask at the same moment."""

    def __init__(self, dsn: str, *, max_size: int, schema: str | None = None,
                 before_first: Callable[[], Awaitable[None]] | None = None) -> None:
        self.dsn = dsn
        self.schema = schema
        self.max_size = max_size
        self._before_first = before_first
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    if self._before_first is not None:
                        await self._before_first()
                    settings = {"search_path": self.schema} if self.schema else None
                    self._pool = await asyncpg.create_pool(
                        self.dsn, min_size=1, max_size=self.max_size,
                        server_settings=settings, command_timeout=10)
        return self._pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgTx]:
        pool = await self.get()
        async with pool.acquire() as connection, connection.transaction():
            yield PgTx(connection)

    async def close(self, timeout: float = CLOSE_SECONDS) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), timeout)
        except asyncio.TimeoutError:
            logger.warning("PostgreSQL pool: connections still in use after %.0f s, "
                           "terminated", timeout)
            pool.terminate()
