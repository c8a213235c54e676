"""The SQLite database of the hand-off service: opened lazily, schema created on first use.

One connection per web process (aiosqlite runs it in its own thread); writes go through a lock
so the statements of one operation are committed together."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.private_files import make_private

SCHEMA = """
CREATE TABLE IF NOT EXISTS officers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until REAL,
    last_seen_at REAL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS officer_counters (
    officer_id INTEGER NOT NULL REFERENCES officers(id) ON DELETE CASCADE,
    counter TEXT NOT NULL,
    PRIMARY KEY (officer_id, counter)
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    officer_id INTEGER NOT NULL REFERENCES officers(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at REAL NOT NULL,
    last_used_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL,
    owner_token_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    counter TEXT NOT NULL,
    counter_name TEXT NOT NULL,
    municipality TEXT,
    topic TEXT,
    topic_title TEXT,
    summary TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    contact_kind TEXT,
    contact TEXT,
    created_at REAL NOT NULL,
    taken_by INTEGER REFERENCES officers(id),
    taken_at REAL,
    closed_at REAL
);
CREATE INDEX IF NOT EXISTS requests_queue ON requests (counter, status, created_at);
CREATE INDEX IF NOT EXISTS requests_conversation ON requests (conversation_id);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    author TEXT NOT NULL,
    officer TEXT,
    text TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_conversation ON messages (conversation_id, id);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY,
    officer_id INTEGER,
    action TEXT NOT NULL,
    target TEXT,
    at REAL NOT NULL
);
"""


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._open_lock = asyncio.Lock()
        self._write_lock = asyncio.Lock()

    async def connection(self) -> aiosqlite.Connection:
        async with self._open_lock:
            if self._conn is None:
                make_private(self.path)  # officers, transcripts, contact details: 0600
                conn = await aiosqlite.connect(self.path)
                conn.row_factory = aiosqlite.Row
                await conn.execute("PRAGMA foreign_keys = ON")
                await conn.execute("PRAGMA journal_mode = WAL")
                await conn.executescript(SCHEMA)
                await conn.commit()
                self._conn = conn
            return self._conn

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        conn = await self.connection()
        async with conn.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """A transaction: committed when the block ends, rolled back when it raises."""
        conn = await self.connection()
        async with self._write_lock:
            try:
                yield conn
                await conn.commit()
            except BaseException:
                await conn.rollback()
                raise

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One write statement; returns the number of changed rows."""
        async with self.write() as conn:
            cursor = await conn.execute(sql, tuple(params))
            return cursor.rowcount


async def ping(db: Database) -> None:
    """Raises when the hand-off database does not answer (readiness)."""
    await db.fetch_one("SELECT 1")
