"""Local outbox: submissions made while the dossier service is down are kept (SQLite locally,
PostgreSQL in production, through bot/storage; schema: the `outbox` Alembic tree) with their
idempotency key and delivered later by `deliver_pending()`.

Delivery is effectively exactly once: a retry after a crash or a timeout re-sends the same key
and the service returns the dossier it already made. After delivery the stored payload is
emptied (data minimisation); only the key and the service's answer stay."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.dossiers.client.api import DossierClient, Invalid, ServiceUnavailable, Unauthorized
from bot.storage.database import Database
from bot.storage.roles import OUTBOX
from bot.storage.urls import location_url

logger = logging.getLogger(__name__)
DEFAULT_PATH = Path("var/dossier_outbox.sqlite3")


@dataclass(frozen=True)
class SubmitResult:
    idempotency_key: str
    queued: bool
    dossier: Mapping[str, Any] | None = None

    @property
    def reference(self) -> str | None:
        return str(self.dossier["reference"]) if self.dossier else None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Outbox:
    """`location`: a SQLite file (DOSSIER_OUTBOX_PATH) or a URL (DOSSIER_OUTBOX_URL,
    `postgresql://…` in production, where the action server replicas share one outbox: a
    submission another replica delivers again is answered with the same dossier, because the
    idempotency key is the same)."""

    def __init__(self, client: DossierClient, location: Path | str = DEFAULT_PATH) -> None:
        self.client = client
        self.db = Database(location_url(location), OUTBOX)
        self._lock = asyncio.Lock()

    async def close(self) -> None:
        await self.db.close()

    async def pending_count(self) -> int:
        row = await self.db.fetch_one(
            "SELECT COUNT(*) AS pending FROM outbox WHERE state = 'pending'")
        return int(row["pending"]) if row else 0

    async def submit(self, submission: Mapping[str, Any],
                     idempotency_key: str | None = None) -> SubmitResult:
        """Deliver older submissions first, then this one; queue it when the service is down.

        Raises client.Invalid when the service rejects the data (nothing is queued then)."""
        key = idempotency_key or uuid.uuid4().hex
        service_down = not await self.deliver_pending()
        if not service_down:
            try:
                return SubmitResult(key, False, await self.client.create(submission, key))
            except (ServiceUnavailable, Unauthorized) as exc:
                logger.warning("dossier service unavailable (%s); submission %s queued", exc, key)
        await self.db.execute(
            "INSERT INTO outbox (idempotency_key, payload, created_at, updated_at) "
            "VALUES (:key, :payload, :now, :now) ON CONFLICT (idempotency_key) DO NOTHING",
            {"key": key, "payload": json.dumps(dict(submission), ensure_ascii=False),
             "now": _now()})
        return SubmitResult(key, True, None)

    async def deliver_pending(self, limit: int = 50) -> bool:
        """Send queued submissions, oldest first. False when the service could not be reached
        (the rest stays queued for the next call)."""
        async with self._lock:
            rows = await self.db.fetch_all(
                "SELECT idempotency_key, payload FROM outbox WHERE state = 'pending' "
                "ORDER BY created_at, idempotency_key LIMIT :limit", {"limit": limit})
            for row in rows:
                if not await self._deliver_one(row["idempotency_key"],
                                               json.loads(row["payload"])):
                    return False
            return True

    async def _deliver_one(self, key: str, payload: dict[str, Any]) -> bool:
        try:
            dossier = await self.client.create(payload, key)
        except (ServiceUnavailable, Unauthorized) as exc:
            await self.db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = :error, "
                "updated_at = :now WHERE idempotency_key = :key",
                {"error": str(exc), "now": _now(), "key": key})
            return False
        except Invalid as exc:
            logger.error("queued submission %s rejected by the dossier service: %s", key, exc.code)
            await self.db.execute(
                "UPDATE outbox SET state = 'rejected', last_error = :error, "
                "attempts = attempts + 1, updated_at = :now WHERE idempotency_key = :key",
                {"error": exc.code, "now": _now(), "key": key})
            return True
        await self.db.execute(
            "UPDATE outbox SET state = 'delivered', payload = '{}', result = :result, "
            "attempts = attempts + 1, updated_at = :now WHERE idempotency_key = :key",
            {"result": json.dumps(dossier), "now": _now(), "key": key})
        logger.info("queued submission %s delivered as %s", key, dossier.get("reference"))
        return True

    async def result(self, idempotency_key: str) -> SubmitResult | None:
        """What became of a queued submission (dossier set once delivered)."""
        row = await self.db.fetch_one(
            "SELECT state, result FROM outbox WHERE idempotency_key = :key",
            {"key": idempotency_key})
        if row is None:
            return None
        dossier = json.loads(row["result"]) if row["result"] else None
        return SubmitResult(idempotency_key, row["state"] == "pending", dossier)


async def deliver_periodically(outbox: Outbox, interval_seconds: float = 30.0,
                               stop: asyncio.Event | None = None) -> None:
    """Background task for the action server: `deliver_pending()` every interval until `stop`."""
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            await outbox.deliver_pending()
        except Exception:  # a broken outbox file must not kill the action server
            logger.exception("dossier outbox delivery failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
        except asyncio.TimeoutError:
            continue
