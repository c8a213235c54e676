"""The analytics store on the storage layer (role `insights`): the baseline creates exactly the
schema the old `CREATE TABLE IF NOT EXISTS` runner made (columns, types, keys, indexes), on
SQLite and on PostgreSQL; a database that runner made is upgraded with every row kept and the
consumer goes on where it stopped; the store migrates on first use and `make migrate` covers
the role."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import stat
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web

from bot.insights.db import PostgresDatabase, open_database
from bot.insights.web import CONSUMER_KEY, setup_insights
from bot.storage.__main__ import URLS, main
from bot.storage.migrate import current, head, sync_engine, upgrade
from bot.storage.roles import INSIGHTS, ROLES
from bot.storage.urls import is_postgres, sqlite_path
from bot.webcore.config import WebConfig
from tests.insights.helpers import make_config, make_consumer, recorded_events, turns
from tests.storage.postgres import postgres_database

# What bot/insights/store.py (SCHEMA) and the consumer's setup() ran before Alembic, verbatim.
OLD_RUNNER = (
    "CREATE TABLE IF NOT EXISTS insights_position (source TEXT PRIMARY KEY, "
    "position BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS insights_seen (event_key TEXT PRIMARY KEY, "
    "seen_at DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS insights_conversations (conversation TEXT PRIMARY KEY, "
    "state TEXT NOT NULL, is_open INTEGER NOT NULL, last_ts DOUBLE PRECISION)",
    "CREATE TABLE IF NOT EXISTS insights_turns (turn_key TEXT PRIMARY KEY, "
    "conversation TEXT NOT NULL, at DOUBLE PRECISION NOT NULL, day TEXT NOT NULL, tenant TEXT, "
    "nis TEXT, municipality TEXT, counter TEXT, topic TEXT, intent TEXT, "
    "confidence DOUBLE PRECISION, fell_back INTEGER NOT NULL, clarified INTEGER NOT NULL, "
    "handoff TEXT, handoff_ref TEXT, handoff_outcome TEXT, dossier_started TEXT, "
    "dossier_submitted TEXT, dossier_ref TEXT, channel TEXT, response_ms INTEGER, "
    "to_officer INTEGER NOT NULL, text TEXT)",
    "CREATE INDEX IF NOT EXISTS insights_turns_day ON insights_turns (day, nis)",
    "CREATE INDEX IF NOT EXISTS insights_turns_conversation ON insights_turns (conversation)",
    "CREATE TABLE IF NOT EXISTS insights_messages (message TEXT PRIMARY KEY, "
    "turn_key TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS insights_feedback (vote_key TEXT PRIMARY KEY, "
    "conversation TEXT NOT NULL, turn_key TEXT, vote TEXT NOT NULL, topic TEXT, nis TEXT, "
    "day TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS insights_feedback_day ON insights_feedback (day, nis)",
    "CREATE TABLE IF NOT EXISTS insights_reviews (turn_key TEXT PRIMARY KEY, "
    "decision TEXT NOT NULL, topic TEXT, officer_id INTEGER, at DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS insights_dossier_steps (turn_key TEXT PRIMARY KEY, "
    "conversation TEXT NOT NULL, dossier_type TEXT NOT NULL, step TEXT NOT NULL, "
    "at DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS insights_handoff_taken (ref TEXT PRIMARY KEY, "
    "at DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS insights_lease (name TEXT PRIMARY KEY, "
    "owner TEXT NOT NULL, expires DOUBLE PRECISION NOT NULL)",
)
TABLES = {"insights_position", "insights_seen", "insights_conversations", "insights_turns",
          "insights_messages", "insights_feedback", "insights_reviews",
          "insights_dossier_steps", "insights_handoff_taken", "insights_lease"}
# One row in every table the old runner made (plus what the recorded events add below).
OLD_ROWS = (
    "INSERT INTO insights_position VALUES ('sql_events', 41)",
    "INSERT INTO insights_seen VALUES ('k-old', 4102444800.5)",  # 2100: never purged here
    "INSERT INTO insights_conversations VALUES ('c-old', '{}', 0, 1795428000.5)",
    "INSERT INTO insights_turns (turn_key, conversation, at, day, nis, topic, fell_back, "
    "clarified, to_officer, text) VALUES ('t-old', 'c-old', 1795428000.25, '2026-11-24', "
    "'41002', 'terrasvergunning', 0, 0, 0, 'mag ik een terras zetten')",
    "INSERT INTO insights_messages VALUES ('m-old', 't-old')",
    "INSERT INTO insights_feedback VALUES ('v-old', 'c-old', 't-old', 'up', "
    "'terrasvergunning', '41002', '2026-11-24')",
    "INSERT INTO insights_reviews VALUES ('t-old', 'none', NULL, 3, 1795428001.0)",
    "INSERT INTO insights_dossier_steps VALUES ('t-old', 'c-old', 'terrasvergunning', "
    "'oppervlakte', 1795428000.25)",
    "INSERT INTO insights_handoff_taken VALUES ('HO-1', 1795428002.0)",
    "INSERT INTO insights_lease VALUES ('consumer', 'gone', 1.0)",
)


def run_old_runner(url: str, rows: tuple[str, ...] = (), schema: str | None = None) -> None:
    """What the old code did on start (in `schema`: a PostgreSQL schema of its own)."""
    if schema is not None:
        admin = sync_engine(url)
        try:
            with admin.begin() as connection:
                connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        finally:
            admin.dispose()
    engine = sync_engine(url, schema)
    try:
        with engine.begin() as connection:
            for sql in (*OLD_RUNNER, *rows):
                connection.exec_driver_sql(sql)
    finally:
        engine.dispose()


def schema_of(url: str, schema: str | None = None) -> dict[str, Any]:
    """Every insights table as the database describes it: columns (name, type, nullable),
    primary key and indexes (name, columns, unique)."""
    engine = sync_engine(url, schema)
    try:
        inspector = sa.inspect(engine)
        return {table: {
            "columns": [(c["name"], str(c["type"]), c["nullable"])
                        for c in inspector.get_columns(table)],
            "key": inspector.get_pk_constraint(table)["constrained_columns"],
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                              for i in inspector.get_indexes(table)),
        } for table in sorted(set(inspector.get_table_names()) & TABLES)}
    finally:
        engine.dispose()


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = sync_engine(url)
    try:
        with engine.connect() as connection:
            return {table: sorted(tuple(row) for row in connection.exec_driver_sql(
                f"SELECT * FROM {table}"))
                for table in sorted(TABLES)}
    finally:
        engine.dispose()


def test_the_baseline_is_exactly_the_old_runners_schema(url: str, tmp_path: Path) -> None:
    upgrade(url, INSIGHTS)
    if is_postgres(url):  # the old runner's tables beside them, in a schema of their own
        run_old_runner(url, schema="old_runner")
        made = schema_of(url, "old_runner")
    else:
        old_url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
        run_old_runner(old_url)
        made = schema_of(old_url)
    migrated = schema_of(url)
    assert set(migrated) == TABLES
    assert migrated == made
    assert migrated["insights_turns"]["indexes"] == [
        ("insights_turns_conversation", ("conversation",), False),
        ("insights_turns_day", ("day", "nis"), False)]
    assert migrated["insights_feedback"]["indexes"] == [
        ("insights_feedback_day", ("day", "nis"), False)]


@pytest.mark.parametrize("old_schema", [False, True], ids=["new", "old-runner"])
def test_sqlite_dumps_of_new_and_old_databases_have_the_same_ddl(tmp_path: Path,
                                                                 old_schema: bool) -> None:
    """SQLite keeps the DDL text: the migrated tables declare what the old ones declared."""
    url = f"sqlite:///{tmp_path / 'insights.sqlite3'}"
    if old_schema:
        run_old_runner(url)
    upgrade(url, INSIGHTS)
    path = sqlite_path(url)
    assert path is not None
    with sqlite3.connect(path) as connection:
        types = {(table, column[1]): (column[2], column[3], column[5])
                 for (table,) in connection.execute(
                     "SELECT name FROM sqlite_master WHERE type = 'table' "
                     "AND name LIKE 'insights_%'")
                 for column in connection.execute(f"PRAGMA table_info({table})")}
    assert types[("insights_turns", "at")] == ("DOUBLE PRECISION", 1, 0)
    assert types[("insights_turns", "turn_key")] == ("TEXT", 0, 1)
    assert types[("insights_position", "position")] == ("BIGINT", 1, 0)
    assert types[("insights_turns", "response_ms")] == ("INTEGER", 0, 0)


def test_a_database_of_the_old_runner_is_upgraded_without_losing_a_row(url: str) -> None:
    run_old_runner(url, OLD_ROWS)
    before = dump(url)
    assert all(before[table] for table in TABLES)
    upgrade(url, INSIGHTS)
    assert current(url, INSIGHTS) == head(INSIGHTS) == "insights_0001"
    assert dump(url) == before
    upgrade(url, INSIGHTS)  # again: nothing to do
    assert dump(url) == before


async def test_the_consumer_goes_on_with_an_old_runner_database(url: str, tmp_path: Path
                                                                ) -> None:
    """The old runner's file with half the recorded conversations written: after the upgrade
    the consumer writes the other half and re-delivered events are not counted again; the
    result is what one consumer on a new database writes."""
    events = recorded_events()
    half = len(events) // 2
    reference = await make_consumer(make_config(tmp_path / "reference", source="rabbitmq"))
    for event in events:
        await reference.handle_message(json.dumps(event).encode())
    expected = await turns(reference.db)
    await reference.db.close()
    assert expected

    run_old_runner(url)
    config = make_config(tmp_path / "old", db_url=url, source="rabbitmq")
    before = open_database(url)
    before._migrated = True  # stands for the old code: its tables, no migration
    first = await make_consumer(config, db=before)
    for event in events[:half]:
        await first.handle_message(json.dumps(event).encode())
    await before.close()
    assert current(url, INSIGHTS) is None  # nothing but the old runner's tables so far

    consumer = await make_consumer(config)  # migrates on start
    try:
        assert current(url, INSIGHTS) == head(INSIGHTS)
        for event in events:  # the first half again (a redelivery) and the rest
            await consumer.handle_message(json.dumps(event).encode())
        assert await turns(consumer.db) == expected
        assert await consumer.hold_lease()
    finally:
        await consumer.db.close()


@pytest.mark.parametrize("enabled", [True, False], ids=["consumer", "dashboard-only"])
async def test_the_web_app_migrates_the_store_when_it_starts(aiohttp_client: Any, url: str,
                                                             tmp_path: Path,
                                                             enabled: bool) -> None:
    """An old runner's database behind the web app (with or without the consumer): at head
    once the app is up, before any request, with the old rows kept."""
    run_old_runner(url, OLD_ROWS)
    before = dump(url)
    config = replace(make_config(tmp_path, db_url=url), enabled=enabled,
                     text_retention_days=100_000)  # its purge keeps the old texts
    app = web.Application()
    setup_insights(app, WebConfig(), config)
    await aiohttp_client(app)
    # The checks read with blocking drivers, so they run in a thread: on the loop they would
    # queue behind the migration's table lock while that waits for the app's own transaction,
    # which cannot finish while the loop is blocked (CI once hung here for an hour).
    version = await asyncio.to_thread(current, url, INSIGHTS)
    if not enabled:  # migrated during the start itself
        assert version == head(INSIGHTS)
    for _ in range(200):  # the consumer: in its task, then it takes the expired lease
        version = await asyncio.to_thread(current, url, INSIGHTS)
        if version == head(INSIGHTS) and (not enabled or (
                await asyncio.to_thread(dump, url))["insights_lease"][0][1] != "gone"):
            break
        await asyncio.sleep(0.05)
    assert version == head(INSIGHTS)
    after = await asyncio.to_thread(dump, url)
    if enabled:
        assert after.pop("insights_lease")[0][1] == app[CONSUMER_KEY].owner
        before.pop("insights_lease")
    assert after == before


async def test_the_store_migrates_on_first_use_into_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "insights.sqlite3"
    db = open_database(f"sqlite:///{path}")
    try:
        async with db.transaction() as tx:  # e.g. the dashboard's first question
            row = await tx.fetchone("SELECT COUNT(*) AS n FROM insights_turns")
        assert row is not None and row["n"] == 0
    finally:
        await db.close()
    assert current(f"sqlite:///{path}", INSIGHTS) == head(INSIGHTS)
    for candidate in path.parent.iterdir():
        assert stat.S_IMODE(candidate.stat().st_mode) == 0o600, candidate
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.services
async def test_a_postgres_schema_of_its_own_holds_the_tables_and_their_version() -> None:
    with postgres_database("olk_insights_test") as url:
        db = PostgresDatabase(url, schema="insights_own")
        try:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO insights_position VALUES (?, ?)", "feedback", 7)
        finally:
            await db.close()
        assert current(url, INSIGHTS) is None  # nothing in the default schema
        assert current(url, INSIGHTS, schema="insights_own") == head(INSIGHTS)
        engine = sync_engine(url)
        try:
            assert TABLES <= set(sa.inspect(engine).get_table_names(schema="insights_own"))
        finally:
            engine.dispose()


def test_make_migrate_covers_the_insights_role(url: str, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    assert "insights" in ROLES and set(URLS) == set(ROLES)  # `make migrate` without ROLES
    monkeypatch.setenv("INSIGHTS_DB_URL", url)
    assert URLS["insights"]() == url  # the URL the web app reads
    assert main(["migrate", "insights"]) == 0
    assert current(url, INSIGHTS) == head(INSIGHTS)
    assert "insights: insights_0001" in capsys.readouterr().out
