"""Thumbs up/down on the assistant's answers, kept for the insights.

One row per answer (conversation id + message id). The public APIs use `record_once`: the
first vote on a message counts, a repeat of the same vote is harmless, a different vote later
is refused (so a message cannot be flipped up and down to skew the insights).
Only what the insights need is kept: the vote, the topic, the municipality and the tenant. The
conversation id is the random id of the widget session, nothing that identifies a person.
The store opens the SQLite file per call (votes are rare), so it is safe to use from a thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from bot.private_files import make_private

Vote = Literal["up", "down"]
Recorded = Literal["new", "same", "conflict"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    conversation_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    topic TEXT,
    municipality TEXT,
    tenant TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (conversation_id, message_id)
)
"""


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


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._private = False

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self._private:
            make_private(self._path)  # created 0600, whatever the umask
            self._private = True
        with closing(sqlite3.connect(self._path, timeout=5)) as connection:
            with connection:
                connection.execute(SCHEMA)
                yield connection

    def record(self, feedback: Feedback) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (conversation_id, message_id) DO UPDATE SET vote = excluded.vote, "
                "topic = excluded.topic, municipality = excluded.municipality, "
                "tenant = excluded.tenant, at = excluded.at",
                (feedback.conversation_id, feedback.message_id, feedback.vote, feedback.topic,
                 feedback.municipality, feedback.tenant, feedback.at or utc_now()))

    def record_once(self, feedback: Feedback) -> Recorded:
        """Store the first vote on a message; never replace it."""
        with self._connect() as db:
            inserted = db.execute(
                "INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (conversation_id, message_id) DO NOTHING",
                (feedback.conversation_id, feedback.message_id, feedback.vote, feedback.topic,
                 feedback.municipality, feedback.tenant, feedback.at or utc_now())).rowcount
            if inserted:
                return "new"
            row = db.execute("SELECT vote FROM feedback WHERE conversation_id = ? AND "
                             "message_id = ?", (feedback.conversation_id,
                                                feedback.message_id)).fetchone()
        return "same" if row and row[0] == feedback.vote else "conflict"

    def erase_conversation(self, conversation_id: str) -> int:
        with self._connect() as db:
            return int(db.execute("DELETE FROM feedback WHERE conversation_id = ?",
                                  (conversation_id,)).rowcount)

    def purge_before(self, cutoff: datetime) -> int:
        """Retention: delete the votes cast before `cutoff` (UTC); returns how many."""
        if not self._path.exists():
            return 0  # nothing stored yet: do not create the file for this
        stamp = cutoff.astimezone(timezone.utc).isoformat(timespec="seconds")
        with self._connect() as db:
            return int(db.execute("DELETE FROM feedback WHERE at < ?", (stamp,)).rowcount)

    def all(self) -> list[Feedback]:
        with self._connect() as db:
            rows = db.execute("SELECT conversation_id, message_id, vote, topic, municipality, "
                              "tenant, at FROM feedback ORDER BY at, rowid").fetchall()
        return [Feedback(*row) for row in rows]

    def scores(self) -> list[TopicScore]:
        """Votes per topic, municipality and tenant, most down votes first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT topic, municipality, tenant, SUM(vote = 'up'), SUM(vote = 'down') "
                "FROM feedback GROUP BY topic, municipality, tenant "
                "ORDER BY SUM(vote = 'down') DESC, topic").fetchall()
        return [TopicScore(*row) for row in rows]
