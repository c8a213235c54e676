"""Audit log: which officer did what, to which request, when."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.handoff.db import Database
from bot.handoff.models import AuditEntry


class AuditLog:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock

    async def record(self, officer_id: int | None, action: str, target: str | None = None) -> None:
        await self._db.execute(
            "INSERT INTO audit_log (officer_id, action, target, at)"
            " VALUES (:officer_id, :action, :target, :at)",
            {"officer_id": officer_id, "action": action, "target": target, "at": self._clock()})

    async def purge_before(self, cutoff: float) -> int:
        """Retention: delete the entries written before `cutoff`; returns how many."""
        return await self._db.execute("DELETE FROM audit_log WHERE at < :cutoff",
                                      {"cutoff": cutoff})

    async def entries(self, limit: int = 100) -> list[AuditEntry]:
        rows = await self._db.fetch_all(
            "SELECT officer_id, action, target, at FROM audit_log ORDER BY id DESC LIMIT :limit",
            {"limit": limit})
        return [AuditEntry(r["officer_id"], r["action"], r["target"], r["at"]) for r in rows]
