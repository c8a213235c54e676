"""The local profile's SQLite stores keep their connections, run in WAL mode, and still see
what another process (the retention job, the insights consumer) wrote or deleted."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

from connectors.sqlite_tuning import tuned_sqlite


def test_a_kept_connection_sees_what_another_process_deleted(tmp_path):
    db = tmp_path / "trackers.sqlite3"
    engine = tuned_sqlite(sa.create_engine(f"sqlite:///{db}"))
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT)"))
        conn.execute(sa.text("INSERT INTO events (sender_id) VALUES ('a'), ('b')"))
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    with sqlite3.connect(db) as other:  # as the retention job does, from its own process
        other.execute("DELETE FROM events WHERE sender_id = 'a'")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT sender_id FROM events")).scalars().all() == ["b"]
    assert engine.pool.checkedin() == 1  # the connection was kept, not closed


def test_in_memory_and_other_databases_are_left_alone():
    memory = sa.create_engine("sqlite://")
    assert tuned_sqlite(memory) is memory
