"""bot/dossiers/service/migrations/002_backoffice.sql (skipped when an older runner applied it).

Revision ID: dossiers_002
"""

from __future__ import annotations

from bot.dossiers.service.migrations import apply_sql_migration

revision = "dossiers_002"
down_revision = "dossiers_001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_sql_migration(2)
