"""Baseline of the action server's dossier outbox (the schema bot/dossiers/client/outbox.py
created before Alembic; an existing file is kept).

Revision ID: outbox_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.baseline import create_table_if_missing

revision = "outbox_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table_if_missing(
        "outbox",
        sa.Column("idempotency_key", sa.Text, primary_key=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("result", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.CheckConstraint("state IN ('pending', 'delivered', 'rejected')",
                           name="outbox_state"))


def downgrade() -> None:
    op.drop_table("outbox")
