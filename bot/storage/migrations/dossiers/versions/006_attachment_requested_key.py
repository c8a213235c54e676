"""bot/dossiers/service/migrations/006_attachment_requested_key.sql (skipped when an older
runner applied it).

Revision ID: dossiers_006
"""

from __future__ import annotations

from bot.dossiers.service.migrations import apply_sql_migration

revision = "dossiers_006"
down_revision = "dossiers_005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_sql_migration(6)
