"""SQLite settings for Rasa's stores in the local profile. Rasa opens SQLite with its defaults:
a rollback journal and a full sync on every commit, 16–23 ms each on these disks, on the event
loop (docs/performance.md). WAL with synchronous=NORMAL keeps every committed turn on a crash
of the process and costs well under a millisecond; only a power cut may lose the last turns."""

from __future__ import annotations

from typing import Any

import sqlalchemy

BUSY_TIMEOUT_MS = 5000


def _pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def tune_sqlite(engine: sqlalchemy.engine.Engine) -> None:
    """Apply the settings to every connection of a SQLite engine (others are left alone)."""
    if engine.dialect.name != "sqlite":
        return
    sqlalchemy.event.listen(engine, "connect", _pragmas)
    engine.dispose()  # connections opened before the listener get replaced
