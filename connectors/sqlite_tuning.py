"""SQLite settings for Rasa's stores in the local profile. Rasa opens SQLite with its defaults:
a rollback journal and a full sync on every commit, 16–23 ms each on these disks, on the event
loop (docs/performance.md). WAL with synchronous=NORMAL keeps every committed turn on a crash
of the process and costs well under a millisecond; only a power cut may lose the last turns.

SQLAlchemy 1.4 also opens a new SQLite connection for every session of a file database
(NullPool): 1.3 ms per transaction against 0.07 ms on a kept connection, three to four times a
turn. Rasa uses its stores from the event loop's thread, one session at a time, so a small pool
of kept connections is safe (SQLAlchemy 2.0 made this its default for SQLite files)."""

from __future__ import annotations

from typing import Any

import sqlalchemy
import sqlalchemy.orm
from sqlalchemy.pool import QueuePool

BUSY_TIMEOUT_MS = 5000
POOL_SIZE = 2  # one session at a time on the loop; a second for the rare overlap


def _pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def tuned_sqlite(engine: sqlalchemy.engine.Engine) -> sqlalchemy.engine.Engine:
    """The engine to use instead of a SQLite one: kept connections with the settings above.
    Other databases are returned as they are."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return engine
    tuned = sqlalchemy.create_engine(
        engine.url, poolclass=QueuePool, pool_size=POOL_SIZE, max_overflow=4,
        connect_args={"check_same_thread": False})
    sqlalchemy.event.listen(tuned, "connect", _pragmas)
    engine.dispose()
    return tuned


def use_tuned_sqlite(store: Any) -> None:
    """Swap the engine of a Rasa store (tracker store, event broker) and its sessionmaker."""
    tuned = tuned_sqlite(store.engine)
    if tuned is not store.engine:
        store.engine = tuned
        store.sessionmaker = sqlalchemy.orm.sessionmaker(bind=tuned)
