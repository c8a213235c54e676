"""bot/dossiers/service/migrations/004_webhook_outbox.sql (skipped when an older runner applied it).

Revision ID: dossiers_004
"""

from __future__ import annotations

from bot.dossiers.service.migrations import apply_sql_migration

revision = "dossiers_004"
down_revision = "dossiers_003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_sql_migration(4)
