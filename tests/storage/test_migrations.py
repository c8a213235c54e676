"""The storage layer's migrations: up on SQLite and PostgreSQL, idempotent, safe with two
migrators at once, private SQLite files, and databases made by the old schema code accepted."""

from __future__ import annotations

import sqlite3
import stat
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.storage.__main__ import main
from bot.storage.database import Database
from bot.storage.migrate import current, head, sync_engine, upgrade
from bot.storage.roles import HANDOFF, OUTBOX, ROLES, Role
from bot.storage.urls import sqlite_path

HANDOFF_TABLES = {"officers", "officer_counters", "sessions", "requests", "messages", "audit_log"}

# What bot/handoff/db.py and bot/dossiers/client/outbox.py created before Alembic.
OLD_HANDOFF_SCHEMA = """
CREATE TABLE IF NOT EXISTS officers (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL, password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0, locked_until REAL, last_seen_at REAL,
    created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS officer_counters (
    officer_id INTEGER NOT NULL REFERENCES officers(id) ON DELETE CASCADE,
    counter TEXT NOT NULL, PRIMARY KEY (officer_id, counter));
CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY,
    officer_id INTEGER NOT NULL REFERENCES officers(id) ON DELETE CASCADE, csrf TEXT NOT NULL,
    created_at REAL NOT NULL, last_used_at REAL NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY, reference TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL, owner_token_hash TEXT NOT NULL, kind TEXT NOT NULL,
    counter TEXT NOT NULL, counter_name TEXT NOT NULL, municipality TEXT, topic TEXT,
    topic_title TEXT, summary TEXT NOT NULL DEFAULT '', status TEXT NOT NULL,
    contact_kind TEXT, contact TEXT, created_at REAL NOT NULL,
    taken_by INTEGER REFERENCES officers(id), taken_at REAL, closed_at REAL);
CREATE INDEX IF NOT EXISTS requests_queue ON requests (counter, status, created_at);
CREATE INDEX IF NOT EXISTS requests_conversation ON requests (conversation_id);
CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL, author TEXT NOT NULL, officer TEXT, text TEXT NOT NULL,
    created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS messages_conversation ON messages (conversation_id, id);
CREATE TABLE IF NOT EXISTS audit_log (id INTEGER PRIMARY KEY, officer_id INTEGER,
    action TEXT NOT NULL, target TEXT, at REAL NOT NULL);
"""
OLD_OUTBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (idempotency_key TEXT PRIMARY KEY, payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'rejected')),
    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, result TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"""


def tables(url: str) -> set[str]:
    engine = sync_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("role", list(ROLES.values()), ids=list(ROLES))
def test_upgrade_creates_the_schema_and_records_the_head(url: str, role: Role) -> None:
    upgrade(url, role)
    assert current(url, role) == head(role) is not None
    assert f"alembic_version_{role.name}" in tables(url)


def test_upgrade_twice_changes_nothing(url: str) -> None:
    upgrade(url, HANDOFF)
    before = tables(url)
    upgrade(url, HANDOFF)
    assert tables(url) == before and HANDOFF_TABLES <= before
    assert current(url, HANDOFF) == head(HANDOFF)


def test_two_migrators_at_once_both_succeed(url: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def migrate() -> None:
        try:
            start.wait()
            upgrade(url, HANDOFF)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=migrate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert HANDOFF_TABLES <= tables(url) and current(url, HANDOFF) == head(HANDOFF)


def test_roles_share_one_database_with_their_own_version_tables(url: str) -> None:
    upgrade(url, HANDOFF)
    upgrade(url, OUTBOX)
    found = tables(url)
    assert {"alembic_version_handoff", "alembic_version_outbox", "outbox"} | HANDOFF_TABLES \
        <= found
    assert current(url, HANDOFF) == head(HANDOFF) and current(url, OUTBOX) == head(OUTBOX)


async def test_database_writes_and_reads_on_both_backends(url: str) -> None:
    db = Database(url, HANDOFF)
    try:
        async with db.write() as tx:
            row = await tx.fetch_one(
                "INSERT INTO officers (name, display_name, password_hash, created_at)"
                " VALUES (:name, :name, 'x', :at) RETURNING id", {"name": "sofie", "at": 1.25})
        assert row is not None
        found = await db.fetch_all("SELECT name, created_at FROM officers WHERE name IN :names",
                                   {"names": ["sofie", "jan"]}, expanding=("names",))
        assert [dict(r) for r in found] == [{"name": "sofie", "created_at": 1.25}]
        with pytest.raises(sa.exc.IntegrityError):  # foreign keys are enforced
            await db.execute("INSERT INTO officer_counters (officer_id, counter)"
                             " VALUES (999, 'gent')")
    finally:
        await db.close()


async def test_times_keep_sub_second_precision(url: str) -> None:
    db = Database(url, HANDOFF)
    try:
        await db.execute("INSERT INTO audit_log (action, at) VALUES ('x', :at)",
                         {"at": 1_795_428_000.123456})
        row = await db.fetch_one("SELECT at FROM audit_log")
        assert row is not None and row["at"] == pytest.approx(1_795_428_000.123456, abs=1e-6)
    finally:
        await db.close()


def test_sqlite_files_are_private_and_in_wal_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'handoff.sqlite3'}"
    upgrade(url, HANDOFF)
    path = sqlite_path(url)
    assert path is not None
    for candidate in path.parent.iterdir():
        assert stat.S_IMODE(candidate.stat().st_mode) == 0o600, candidate
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize(("role", "schema", "table"), [
    (HANDOFF, OLD_HANDOFF_SCHEMA, "audit_log"), (OUTBOX, OLD_OUTBOX_SCHEMA, "outbox")])
def test_a_database_made_by_the_old_code_is_accepted(tmp_path: Path, role: Role, schema: str,
                                                     table: str) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.executescript(schema)
        if table == "audit_log":
            connection.execute("INSERT INTO audit_log (action, at) VALUES ('login', 1.0)")
        else:
            connection.execute("INSERT INTO outbox VALUES ('k', '{}', 'pending', 0, NULL, NULL,"
                               " '2026-01-01', '2026-01-01')")
    url = f"sqlite:///{path}"
    upgrade(url, role)
    assert current(url, role) == head(role)
    with sqlite3.connect(path) as connection:
        assert connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 1


def test_make_migrate_cli_migrates_a_named_role(url: str, capsys: pytest.CaptureFixture[str]
                                               ) -> None:
    assert main(["migrate", "outbox", "--url", url]) == 0
    assert current(url, OUTBOX) == head(OUTBOX)
    assert "outbox: outbox_0001" in capsys.readouterr().out
