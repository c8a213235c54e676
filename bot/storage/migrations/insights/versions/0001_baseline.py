"""Baseline of the analytics store: the schema bot/insights/store.py and the consumer's lease
created with `CREATE TABLE IF NOT EXISTS` before Alembic, column for column and with its
indexes. A database that code made is kept as it is (only what is missing is created).

Times are seconds since the epoch as DOUBLE PRECISION and flags are INTEGER 0/1, as before, on
SQLite and PostgreSQL alike.

Revision ID: insights_0001
Revises:
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from bot.storage.baseline import create_index_if_missing, create_table_if_missing

revision = "insights_0001"
down_revision = None
branch_labels = None
depends_on = None


class DoublePrecision(sa.types.UserDefinedType):  # type: ignore[type-arg]
    """`DOUBLE PRECISION` on both backends (SQLAlchemy 1.4 has no generic Double)."""

    cache_ok = True

    def get_col_spec(self, **_kw: Any) -> str:
        return "DOUBLE PRECISION"


def _key(name: str) -> sa.Column:
    """`name TEXT PRIMARY KEY` as the old DDL had it (no explicit NOT NULL: PostgreSQL implies
    it, SQLite keeps its rowid-table rule), so new and old databases are the same."""
    return sa.Column(name, sa.Text, primary_key=True, nullable=True)


def _text(name: str, *, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=nullable)


def _time(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, DoublePrecision(), nullable=nullable)


def _flag(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer, nullable=False)


def upgrade() -> None:
    create_table_if_missing("insights_position", _key("source"),
                            sa.Column("position", sa.BigInteger, nullable=False))
    create_table_if_missing("insights_seen", _key("event_key"),
                            _time("seen_at"))
    create_table_if_missing("insights_conversations", _key("conversation"),
                            _text("state", nullable=False), _flag("is_open"),
                            _time("last_ts", nullable=True))
    create_table_if_missing(
        "insights_turns",
        _key("turn_key"), _text("conversation", nullable=False),
        _time("at"), _text("day", nullable=False), _text("tenant"), _text("nis"),
        _text("municipality"), _text("counter"), _text("topic"), _text("intent"),
        _time("confidence", nullable=True), _flag("fell_back"), _flag("clarified"),
        _text("handoff"), _text("handoff_ref"), _text("handoff_outcome"),
        _text("dossier_started"), _text("dossier_submitted"), _text("dossier_ref"),
        _text("channel"), sa.Column("response_ms", sa.Integer), _flag("to_officer"),
        _text("text"))
    create_index_if_missing("insights_turns_day", "insights_turns", ("day", "nis"))
    create_index_if_missing("insights_turns_conversation", "insights_turns", ("conversation",))
    create_table_if_missing("insights_messages", _key("message"),
                            _text("turn_key", nullable=False))
    create_table_if_missing(
        "insights_feedback",
        _key("vote_key"), _text("conversation", nullable=False),
        _text("turn_key"), _text("vote", nullable=False), _text("topic"), _text("nis"),
        _text("day", nullable=False))
    create_index_if_missing("insights_feedback_day", "insights_feedback", ("day", "nis"))
    # An officer's decision on an unanswered question (bot/insights/unanswered.py): a topic,
    # or "none" (no existing topic fits: a new-topic proposal).
    create_table_if_missing(
        "insights_reviews",
        _key("turn_key"), _text("decision", nullable=False), _text("topic"),
        sa.Column("officer_id", sa.Integer), _time("at"))
    # The field a dossier form asked for at the end of a turn (the step where owners stop).
    create_table_if_missing(
        "insights_dossier_steps",
        _key("turn_key"), _text("conversation", nullable=False),
        _text("dossier_type", nullable=False), _text("step", nullable=False), _time("at"))
    # When an officer joined a handed-over conversation (waiting time per counter).
    create_table_if_missing("insights_handoff_taken", _key("ref"),
                            _time("at"))
    # The consumer's lease: only its holder consumes (bot/insights/consumer.py).
    create_table_if_missing("insights_lease", _key("name"),
                            _text("owner", nullable=False), _time("expires"))


def downgrade() -> None:
    for table in ("insights_lease", "insights_handoff_taken", "insights_dossier_steps",
                  "insights_reviews", "insights_feedback", "insights_messages",
                  "insights_turns", "insights_conversations", "insights_seen",
                  "insights_position"):
        op.drop_table(table)
