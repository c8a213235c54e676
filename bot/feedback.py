"""Thumbs up/down on the assistant's answers, kept for the insights.

One row per answer (conversation id + message id). The public APIs use `record_once`: the
first vote on a message counts, a repeat of the same vote is harmless, a different vote later
is refused (so a message cannot be flipped up and down to skew the insights).
Only what the insights need is kept: the vote, the topic, the municipality and the tenant. The
conversation id is the random id of the widget session, nothing that identifies a person.
The store is sync on the storage layer (bot/storage, role `feedback`: SQLite file FEEDBACK_DB,
created 0600; a `postgresql://…` URL works too) and opens a connection per call (votes are
rare), so it is safe to use from a thread. The schema is migrated on first use.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa

from bot.storage.migrate import sync_engine, upgrade
from bot.storage.roles import FEEDBACK
from bot.storage.urls import location_url, sqlite_path

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "var" / "feedback.sqlite3"

Vote = Literal["up", "down"]
Recorded = Literal["new", "same", "conflict"]

_INSERT = ("INSERT INTO feedback (conversation_id, message_id, vote, topic, municipality,"
           " tenant, at) VALUES (:conversation_id, :message_id, :vote, :topic, :municipality,"
           " :tenant, :at) ON CONFLICT (conversation_id, message_id) ")


@dataclass(frozen=True)
class Feedback:
    conversation_id: str
    message_id: str
    vote: Vote
    topic: str | None
    municipality: str | None
    tenant: str | None
    at: str = ""


@dataclass(frozen=True)
class TopicScore:
    topic: str | None
    municipality: str | None
    tenant: str | None
    up: int
    down: int


def feedback_location(env: Mapping[str, str]) -> str:
    """Where the votes live: `FEEDBACK_DB_URL` (a `postgresql://…` URL, the production
    profile's), else the SQLite file `FEEDBACK_DB`, else var/feedback.sqlite3."""
    return (env.get("FEEDBACK_DB_URL", "").strip() or env.get("FEEDBACK_DB", "").strip()
            or str(DEFAULT_PATH))


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _values(feedback: Feedback) -> dict[str, Any]:
    return {"conversation_id": feedback.conversation_id, "message_id": feedback.message_id,
            "vote": feedback.vote, "topic": feedback.topic,
            "municipality": feedback.municipality, "tenant": feedback.tenant,
            "at": feedback.at or utc_now()}


class FeedbackStore:
    def __init__(self, location: Path | str = DEFAULT_PATH) -> None:
        """`location`: the SQLite file (FEEDBACK_DB) or a database URL."""
        self._url = location_url(location)
        self._engine: sa.engine.Engine | None = None

    @contextmanager
    def _connect(self) -> Iterator[sa.engine.Connection]:
        if self._engine is None:
            upgrade(self._url, FEEDBACK)  # creates the file 0600, whatever the umask
            self._engine = sync_engine(self._url)
        with self._engine.connect() as connection, connection.begin():
            yield connection

    def record(self, feedback: Feedback) -> None:
        with self._connect() as db:
            db.execute(sa.text(
                _INSERT + "DO UPDATE SET vote = excluded.vote, topic = excluded.topic,"
                " municipality = excluded.municipality, tenant = excluded.tenant,"
                " at = excluded.at"), _values(feedback))

    def record_once(self, feedback: Feedback) -> Recorded:
        """Store the first vote on a message; never replace it."""
        with self._connect() as db:
            inserted = db.execute(sa.text(_INSERT + "DO NOTHING"), _values(feedback)).rowcount
            if inserted:
                return "new"
            row = db.execute(sa.text(
                "SELECT vote FROM feedback WHERE conversation_id = :conversation_id"
                " AND message_id = :message_id"),
                {"conversation_id": feedback.conversation_id,
                 "message_id": feedback.message_id}).first()
        return "same" if row and row[0] == feedback.vote else "conflict"

    def erase_conversation(self, conversation_id: str) -> int:
        with self._connect() as db:
            return int(db.execute(sa.text("DELETE FROM feedback WHERE conversation_id = :id"),
                                  {"id": conversation_id}).rowcount)

    def purge_before(self, cutoff: datetime) -> int:
        """Retention: delete the votes cast before `cutoff` (UTC); returns how many."""
        path = sqlite_path(self._url)
        if path is not None and not path.exists():
            return 0  # nothing stored yet: do not create the file for this
        stamp = cutoff.astimezone(timezone.utc).isoformat(timespec="seconds")
        with self._connect() as db:
            return int(db.execute(sa.text("DELETE FROM feedback WHERE at < :stamp"),
                                  {"stamp": stamp}).rowcount)

    def since(self, after: float, limit: int) -> list[tuple[Any, ...]]:
        """Votes cast at or after `after` (epoch seconds), oldest first: what the insights
        consumer reads (by time, as PostgreSQL has no rowid; a vote read twice is skipped by
        its seen key). Rows: (None, conversation_id, message_id, vote, topic, municipality,
        tenant, at)."""
        path = sqlite_path(self._url)
        if path is not None and not path.exists():
            return []
        stamp = datetime.fromtimestamp(after, timezone.utc).isoformat(timespec="seconds")
        with self._connect() as db:
            rows = db.execute(sa.text(
                "SELECT conversation_id, message_id, vote, topic, municipality, tenant, at"
                " FROM feedback WHERE at >= :stamp ORDER BY at, conversation_id, message_id"
                " LIMIT :limit"), {"stamp": stamp, "limit": limit}).all()
        return [(None, *row) for row in rows]

    def all(self) -> list[Feedback]:
        with self._connect() as db:
            rows = db.execute(sa.text(
                "SELECT conversation_id, message_id, vote, topic, municipality, tenant, at"
                " FROM feedback ORDER BY at, conversation_id, message_id")).all()
        return [Feedback(*row) for row in rows]

    def scores(self) -> list[TopicScore]:
        """Votes per topic, municipality and tenant, most down votes first."""
        with self._connect() as db:
            rows = db.execute(sa.text(
                "SELECT topic, municipality, tenant,"
                " SUM(CASE WHEN vote = 'up' THEN 1 ELSE 0 END) AS up,"
                " SUM(CASE WHEN vote = 'down' THEN 1 ELSE 0 END) AS down"
                " FROM feedback GROUP BY topic, municipality, tenant"
                " ORDER BY down DESC, topic")).all()
        return [TopicScore(*row) for row in rows]

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
