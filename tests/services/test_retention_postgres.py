"""Retention on the production tracker store: Rasa's SQLTrackerStore (our private subclass) on
the real PostgreSQL. Skipped only outside CI when PostgreSQL is missing."""

from __future__ import annotations

import asyncpg
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.counters import RetentionDays
from bot.retention import Stores, purge, purge_trackers
from connectors.tracker_store import PrivateSQLTrackerStore
from tests.conftest import require_service

DB = "ondernemersloket_retention_ci"  # this test's own database, created through login_db
URL = f"postgresql://postgres@127.0.0.1:5432/{DB}"
NOW = 1_795_428_000.0
DAY = 86400.0


async def senders() -> dict[str, int]:
    connection = await asyncpg.connect(URL)
    try:
        rows = await connection.fetch("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id")
    finally:
        await connection.close()
    return {row[0]: row[1] for row in rows}


async def test_old_conversations_are_deleted_from_postgres() -> None:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    domain = Domain.empty()
    store = PrivateSQLTrackerStore(domain, dialect="postgresql", host="127.0.0.1", port=5432,
                                   db=DB, username="postgres", password="",
                                   login_db="postgres")
    connection = await asyncpg.connect(URL)
    await connection.execute("DELETE FROM events")  # leftovers of an earlier run
    await connection.close()
    for sender, stamps in {"old": (NOW - 100 * DAY, NOW - 99 * DAY),
                           "mixed": (NOW - 100 * DAY, NOW - DAY),
                           "recent": (NOW - DAY, NOW)}.items():
        tracker = DialogueStateTracker(sender, domain.slots)
        tracker.update(UserUttered("hallo", {"name": "greet"}, timestamp=stamps[0]))
        tracker.update(BotUttered("Dag!", timestamp=stamps[1]))
        await store.save(tracker)
    store.engine.dispose()

    result = await purge(Stores(tracker_url=URL), RetentionDays(), now=NOW)

    assert result.errors == {}
    assert result.counts == {"trackers": 1}
    assert await senders() == {"mixed": 2, "recent": 2}
    assert await purge_trackers(URL, NOW - DAY / 2) == 1
    assert await senders() == {"recent": 2}
