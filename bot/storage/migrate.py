"""Bring a role's database to the newest migration (Alembic `upgrade head`).

The whole upgrade runs in one transaction that first takes the database's writer lock, so two
processes starting at once (replicas, `make migrate` during a start) never both apply a
migration: on PostgreSQL a transaction-scoped advisory lock per role
(`pg_advisory_xact_lock`), on SQLite `BEGIN IMMEDIATE` (the second waits for the first, then
finds nothing left to do). DDL is transactional on both, so a failed migration leaves nothing
half done. Runs with the sync drivers; call it from async code through `asyncio.to_thread`."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.private_files import make_private
from bot.storage.roles import Role
from bot.storage.urls import sqlite_path, sync_url

SQLITE_BUSY_SECONDS = 30.0
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def sync_engine(url: str, schema: str | None = None) -> sa.engine.Engine:
    """A sync engine for migrations and tools: SQLite file created 0600, WAL, foreign keys,
    every transaction `BEGIN IMMEDIATE` (writer lock up front). `schema`: PostgreSQL only, the
    schema an installation (or a test) keeps its tables in (`search_path`)."""
    path = sqlite_path(url)
    if path is None:
        options = {"options": f"-csearch_path={schema}"} if schema else {}
        return sa.create_engine(sync_url(url), future=True, poolclass=sa.pool.NullPool,
                                connect_args=options)
    make_private(path)
    engine = sa.create_engine(sync_url(url), future=True, poolclass=sa.pool.NullPool,
                              connect_args={"timeout": SQLITE_BUSY_SECONDS})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        enable_wal(dbapi_connection.execute)
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.engine.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def enable_wal(execute: Callable[[str], Any]) -> None:
    """Switching a new file to WAL needs an exclusive lock, and SQLite does not wait for it
    (no busy handler there): two processes opening a new database at once get "database is
    locked". Retry for the busy timeout; the second then finds WAL already on."""
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            execute("PRAGMA journal_mode = WAL")
            return
        except Exception as error:  # sqlite3.OperationalError, also through aiosqlite
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def alembic_config(role: Role, connection: sa.engine.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(role.script_location))
    config.attributes["connection"] = connection
    config.attributes["version_table"] = role.version_table
    return config


def upgrade(url: str, role: Role, revision: str = "head", schema: str | None = None) -> None:
    """Apply the role's missing migrations; safe to run from several processes at once."""
    if schema is not None and not SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"invalid schema name: {schema!r}")
    engine = sync_engine(url, schema)
    try:
        with engine.connect() as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": role.lock_key})
                if schema:
                    connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            command.upgrade(alembic_config(role, connection), revision)
        if sqlite_path(url) is not None:
            make_private(sqlite_path(url))  # type: ignore[arg-type]  # side files 0600 too
    finally:
        engine.dispose()


def current(url: str, role: Role, schema: str | None = None) -> str | None:
    """The role's applied revision (None: not migrated yet)."""
    engine = sync_engine(url, schema)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"version_table": role.version_table})
            return context.get_current_revision()
    finally:
        engine.dispose()


def head(role: Role) -> str | None:
    return ScriptDirectory.from_config(alembic_config(role)).get_current_head()
