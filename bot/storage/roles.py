"""The database roles: each has its own Alembic tree and version table."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class Role:
    name: str

    @property
    def script_location(self) -> Path:
        return MIGRATIONS / self.name

    @property
    def version_table(self) -> str:
        return f"alembic_version_{self.name}"

    @property
    def lock_key(self) -> int:
        """Key of the PostgreSQL advisory lock around this role's upgrade (signed 64 bit)."""
        digest = hashlib.sha256(f"bot.storage.migrate:{self.name}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)


HANDOFF = Role("handoff")  # the web app: officers, sessions, hand-off requests, messages, audit
OUTBOX = Role("outbox")  # the action server's dossier outbox
FEEDBACK = Role("feedback")  # the web app's answer feedback (FEEDBACK_DB)
DOSSIERS = Role("dossiers")  # the dossier service (DOSSIER_DB_URL); its SQL files as revisions
INSIGHTS = Role("insights")  # the analytics store (INSIGHTS_DB_URL): consumer and dashboard
ROLES = {role.name: role for role in (HANDOFF, OUTBOX, FEEDBACK, DOSSIERS, INSIGHTS)}
