"""bot/dossiers/service/migrations/005_attachments.sql (skipped when an older runner applied it).

Revision ID: dossiers_005
"""

from __future__ import annotations

from bot.dossiers.service.migrations import apply_sql_migration

revision = "dossiers_005"
down_revision = "dossiers_004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_sql_migration(5)
