"""The asyncpg pool of the dossier service and the insights store: one pool however many
tasks start at once, and a shutdown that ends although a task still holds a connection."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.storage.pg_pool import LazyPool, to_dollar_params
from tests.storage.postgres import postgres_database

pytestmark = pytest.mark.services


def test_question_marks_become_numbered_parameters() -> None:
    assert to_dollar_params("SELECT ? WHERE a = ? AND b = ?") == \
        "SELECT $1 WHERE a = $2 AND b = $3"


async def test_tasks_starting_at_once_share_one_pool_and_one_preparation() -> None:
    prepared: list[float] = []

    async def before_first() -> None:  # e.g. the migration
        prepared.append(time.monotonic())
        await asyncio.sleep(0.05)

    with postgres_database("olk_pool_test") as url:
        pool = LazyPool(url, max_size=4, before_first=before_first)
        try:
            pools = await asyncio.gather(*(pool.get() for _ in range(8)))
            assert len({id(found) for found in pools}) == 1 and len(prepared) == 1
            async with pool.transaction() as tx:
                assert await tx.execute("CREATE TABLE t (n int)") == 0
                assert await tx.execute("INSERT INTO t VALUES (?), (?)", 1, 2) == 2
                assert await tx.fetchall("SELECT n FROM t ORDER BY n") == [{"n": 1}, {"n": 2}]
        finally:
            await pool.close()


async def test_close_ends_although_a_task_never_gives_its_connection_back() -> None:
    with postgres_database("olk_pool_test") as url:
        pool = LazyPool(url, max_size=2)
        held = asyncio.Event()

        async def stuck() -> None:
            async with pool.transaction() as tx:
                await tx.fetchone("SELECT 1")
                held.set()
                await asyncio.Event().wait()  # never returns its connection

        task = asyncio.create_task(stuck())
        await held.wait()
        started = time.monotonic()
        await pool.close(timeout=0.5)
        assert time.monotonic() - started < 3
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
