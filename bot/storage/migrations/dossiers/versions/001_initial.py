"""bot/dossiers/service/migrations/001_initial.sql (skipped when an older runner applied it).

Revision ID: dossiers_001
"""

from __future__ import annotations

from bot.dossiers.service.migrations import apply_sql_migration

revision = "dossiers_001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_sql_migration(1)
