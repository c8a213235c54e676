"""Baseline of the answer feedback (the schema bot/feedback.py created before Alembic; an
existing file is kept). On SQLite it stays a rowid table: the insights consumer reads new
votes by rowid.

Revision ID: feedback_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.baseline import create_table_if_missing

revision = "feedback_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table_if_missing(
        "feedback",
        sa.Column("conversation_id", sa.Text, nullable=False),
        sa.Column("message_id", sa.Text, nullable=False),
        sa.Column("vote", sa.Text, nullable=False),
        sa.Column("topic", sa.Text),
        sa.Column("municipality", sa.Text),
        sa.Column("tenant", sa.Text),
        sa.Column("at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", "message_id"),
        sa.CheckConstraint("vote IN ('up', 'down')", name="feedback_vote"))


def downgrade() -> None:
    op.drop_table("feedback")
