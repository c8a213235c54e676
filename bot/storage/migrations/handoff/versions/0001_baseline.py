"""Baseline of the web app's database: officers, sessions, hand-off requests, owner messages,
audit log (the schema bot/handoff/db.py created before Alembic; an existing file is kept).

Times are seconds since the epoch as double precision (`Float` is FLOAT = float8 on
PostgreSQL, REAL on SQLite).

Revision ID: handoff_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.baseline import create_index_if_missing, create_table_if_missing

revision = "handoff_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table_if_missing(
        "officers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.Float),
        sa.Column("last_seen_at", sa.Float),
        sa.Column("created_at", sa.Float, nullable=False))
    create_table_if_missing(
        "officer_counters",
        sa.Column("officer_id", sa.Integer, sa.ForeignKey("officers.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("counter", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("officer_id", "counter"))
    create_table_if_missing(
        "sessions",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("officer_id", sa.Integer, sa.ForeignKey("officers.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("csrf", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_used_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False))
    create_table_if_missing(
        "requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.Text, nullable=False, unique=True),
        sa.Column("conversation_id", sa.Text, nullable=False),
        sa.Column("owner_token_hash", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("counter", sa.Text, nullable=False),
        sa.Column("counter_name", sa.Text, nullable=False),
        sa.Column("municipality", sa.Text),
        sa.Column("topic", sa.Text),
        sa.Column("topic_title", sa.Text),
        sa.Column("summary", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("contact_kind", sa.Text),
        sa.Column("contact", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("taken_by", sa.Integer, sa.ForeignKey("officers.id")),
        sa.Column("taken_at", sa.Float),
        sa.Column("closed_at", sa.Float))
    create_index_if_missing("requests_queue", "requests", ("counter", "status", "created_at"))
    create_index_if_missing("requests_conversation", "requests", ("conversation_id",))
    create_table_if_missing(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("officer", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sqlite_autoincrement=True)  # ids never reused: clients poll "after id"
    create_index_if_missing("messages_conversation", "messages", ("conversation_id", "id"))
    create_table_if_missing(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("officer_id", sa.Integer),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("target", sa.Text),
        sa.Column("at", sa.Float, nullable=False))


def downgrade() -> None:
    for table in ("audit_log", "messages", "requests", "sessions", "officer_counters",
                  "officers"):
        op.drop_table(table)
