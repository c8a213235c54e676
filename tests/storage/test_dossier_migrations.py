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
from bot.dossiers.service.sql import SqlStorage
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


# --- 006: which requested document an attachment is ------------------------------------------

OLD_DOSSIER = sa.text(
    "INSERT INTO dossiers (reference, idempotency_key, request_hash, dossier_type, tenant, "
    "counter, municipality_nis, municipality_name, applicant_email, applicant, fields, "
    "conversation_id, status, created_at, updated_at) VALUES ('OVL-2026-OLD001', 'old-key', "
    "'h', 'terrasvergunning', 'gent', 'gent-economie', '44021', 'Gent', 'a@voorbeeld.be', "
    "'{}', '{}', 'conv-old', 'received', :at, :at)")
OLD_ATTACHMENT = sa.text(
    "INSERT INTO dossier_attachments (attachment_id, reference, seq, filename, content_type, "
    "size_bytes, sha256, uploaded_by, conversation_id, created_at, content) VALUES "
    "('att-old-0001', 'OVL-2026-OLD001', 1, 'oud plan.pdf', 'application/pdf', 3, 'abc', "
    "'owner', 'conv-old', :at, :content)")


def attachment_before_006(url: str, at: object) -> None:
    """A database at 005 with one dossier and one owner's document, then brought to head."""
    upgrade(url, DOSSIERS, revision="dossiers_005")
    engine = sync_engine(url)
    try:
        with engine.begin() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns(
                "dossier_attachments")}
            assert "requested_key" not in columns
            connection.execute(OLD_DOSSIER, {"at": at})
            connection.execute(OLD_ATTACHMENT, {"at": at, "content": b"pdf"})
    finally:
        engine.dispose()
    upgrade(url, DOSSIERS)
    assert current(url, DOSSIERS) == head(DOSSIERS)


async def old_row_keeps_null_and_new_rows_keep_their_key(storage: SqlStorage) -> None:
    from bot.dossiers.service.documents import Attachment

    (old,) = await storage.attachments("OVL-2026-OLD001")
    assert old.filename == "oud plan.pdf" and old.requested_key is None
    assert old.as_dict()["requested_key"] is None
    for key, name in (("terrace_plan", "plan.pdf"), (None, "iets.pdf")):
        await storage.add_attachment(
            Attachment(id=f"att-{name[:4]}-0002", reference="OVL-2026-OLD001", seq=0,
                       filename=name, content_type="application/pdf", size=3, sha256="d",
                       uploaded_by="owner", created_at=datetime.now(timezone.utc),
                       requested_key=key),
            b"pdf", conversation_id="conv-old", max_count=20)
    assert [(a.filename, a.requested_key) for a in await storage.attachments(
        "OVL-2026-OLD001")] == [("oud plan.pdf", None), ("plan.pdf", "terrace_plan"),
                                ("iets.pdf", None)]


async def test_006_on_sqlite_adds_requested_key_and_old_documents_keep_null(tmp_path) -> None:
    path = tmp_path / "dossiers.sqlite3"
    attachment_before_006(f"sqlite:///{path}", datetime.now(timezone.utc).isoformat())
    storage = SqliteStorage(path)
    try:
        await old_row_keeps_null_and_new_rows_keep_their_key(storage)
    finally:
        await storage.close()


@pytest.mark.services
async def test_006_on_postgresql_adds_requested_key_and_old_documents_keep_null() -> None:
    from bot.dossiers.service.postgres_storage import PostgresStorage

    with postgres_database("olk_dossiers_006") as url:
        attachment_before_006(url, datetime.now(timezone.utc))
        storage = PostgresStorage(url)
        try:
            await old_row_keeps_null_and_new_rows_keep_their_key(storage)
        finally:
            await storage.close()
