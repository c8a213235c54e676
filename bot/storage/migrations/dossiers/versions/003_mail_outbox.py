"""bot/dossiers/service/migrations/003_mail_outbox.sql (skipped when an older runner applied it).

Revision ID: dossiers_003
"""

from __future__ import annotations

from bot.dossiers.service.migrations import apply_sql_migration

revision = "dossiers_003"
down_revision = "dossiers_002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_sql_migration(3)
