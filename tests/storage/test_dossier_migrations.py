"""The dossier service's SQL files as the storage layer's `dossiers` Alembic tree: one revision
per file, a database the old runner made is accepted (files it applied are not run again),
and the PostgreSQL schema of an installation is honoured."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.dossiers.service.migrations import MIGRATIONS_DIR, SCHEMA_VERSION_DDL, load_migrations
from bot.dossiers.service.sqlite_storage import SqliteStorage
from bot.storage.migrate import current, head, sync_engine, upgrade
from bot.storage.roles import DOSSIERS
from tests.storage.postgres import postgres_database


def test_every_sql_file_has_a_revision() -> None:
    files = sorted(MIGRATIONS_DIR.glob("*.sql"))
    revisions = {path.stem for path in (DOSSIERS.script_location / "versions").glob("*.py")}
    assert {path.stem for path in files} == revisions
    assert head(DOSSIERS) == f"dossiers_{max(m.version for m in load_migrations()):03d}"


def old_runner(path: Path, up_to: int) -> None:
    """What the hand-written runner left behind: files applied, one schema_version row each."""
    with sqlite3.connect(path) as connection:
        connection.execute(SCHEMA_VERSION_DDL)
        for migration in load_migrations():
            if migration.version > up_to:
                break
            for statement in migration.statements:
                connection.execute(statement)
            connection.execute("INSERT INTO schema_version VALUES (?, ?, ?)",
                               (migration.version, migration.name,
                                datetime.now(timezone.utc).isoformat()))


@pytest.mark.parametrize("up_to", [max(m.version for m in load_migrations()), 3])
async def test_a_database_of_the_old_runner_is_accepted(tmp_path: Path, up_to: int) -> None:
    path = tmp_path / "dossiers.sqlite3"
    old_runner(path, up_to)
    storage = SqliteStorage(path)
    try:
        latest = max(m.version for m in load_migrations())
        assert await storage.migrate() == latest
        assert await storage.migrate() == latest
    finally:
        await storage.close()
    assert current(f"sqlite:///{path}", DOSSIERS) == head(DOSSIERS)
    with sqlite3.connect(path) as connection:
        versions = [row[0] for row in connection.execute(
            "SELECT version FROM schema_version ORDER BY version")]
    assert versions == list(range(1, latest + 1))


@pytest.mark.services
def test_an_installation_schema_on_postgresql_gets_the_tables() -> None:
    with postgres_database("olk_storage_dossiers") as url:
        schemas_get_their_tables(url)


def schemas_get_their_tables(url: str) -> None:
    upgrade(url, DOSSIERS, schema="olk_dossiers_a")
    upgrade(url, DOSSIERS, schema="olk_dossiers_b")
    engine = sync_engine(url)
    try:
        inspector = sa.inspect(engine)
        for schema in ("olk_dossiers_a", "olk_dossiers_b"):
            tables = set(inspector.get_table_names(schema=schema))
            assert {"dossiers", "schema_version", "alembic_version_dossiers"} <= tables
        assert "dossiers" not in set(inspector.get_table_names(schema="public"))
    finally:
        engine.dispose()
    assert current(url, DOSSIERS, schema="olk_dossiers_a") == head(DOSSIERS)
