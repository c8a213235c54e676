"""Local outbox: submissions made while the dossier service is down are kept in SQLite with
their idempotency key and delivered later by `deliver_pending()`.

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

import aiosqlite

from bot.dossiers.client.api import DossierClient, Invalid, ServiceUnavailable, Unauthorized

logger = logging.getLogger(__name__)
DEFAULT_PATH = Path("var/dossier_outbox.sqlite3")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    idempotency_key TEXT PRIMARY KEY,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'rejected')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    result TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
)"""


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
    def __init__(self, client: DossierClient, path: Path = DEFAULT_PATH) -> None:
        self.client = client
        self.path = path
        self._lock = asyncio.Lock()
        self._ready = False

    async def _db(self) -> aiosqlite.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(self.path)
        await connection.execute("PRAGMA busy_timeout = 5000")
        if not self._ready:
            await connection.execute(_SCHEMA)
            await connection.commit()
            self._ready = True
        return connection

    async def _write(self, sql: str, *args: Any) -> None:
        connection = await self._db()
        try:
            await connection.execute(sql, args)
            await connection.commit()
        finally:
            await connection.close()

    async def pending_count(self) -> int:
        connection = await self._db()
        try:
            async with connection.execute(
                "SELECT COUNT(*) FROM outbox WHERE state = 'pending'") as cursor:
                row = await cursor.fetchone()
        finally:
            await connection.close()
        return int(row[0]) if row else 0

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
        await self._write(
            "INSERT INTO outbox (idempotency_key, payload, created_at, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING",
            key, json.dumps(dict(submission), ensure_ascii=False), _now(), _now())
        return SubmitResult(key, True, None)

    async def deliver_pending(self, limit: int = 50) -> bool:
        """Send queued submissions, oldest first. False when the service could not be reached
        (the rest stays queued for the next call)."""
        async with self._lock:
            connection = await self._db()
            try:
                async with connection.execute(
                    "SELECT idempotency_key, payload FROM outbox WHERE state = 'pending' "
                    "ORDER BY created_at, rowid LIMIT ?", (limit,)) as cursor:
                    rows = list(await cursor.fetchall())
            finally:
                await connection.close()
            for key, payload in rows:
                if not await self._deliver_one(key, json.loads(payload)):
                    return False
            return True

    async def _deliver_one(self, key: str, payload: dict[str, Any]) -> bool:
        try:
            dossier = await self.client.create(payload, key)
        except (ServiceUnavailable, Unauthorized) as exc:
            await self._write("UPDATE outbox SET attempts = attempts + 1, last_error = ?, "
                              "updated_at = ? WHERE idempotency_key = ?", str(exc), _now(), key)
            return False
        except Invalid as exc:
            logger.error("queued submission %s rejected by the dossier service: %s", key, exc.code)
            await self._write("UPDATE outbox SET state = 'rejected', last_error = ?, "
                              "attempts = attempts + 1, updated_at = ? WHERE idempotency_key = ?",
                              exc.code, _now(), key)
            return True
        await self._write("UPDATE outbox SET state = 'delivered', payload = '{}', result = ?, "
                          "attempts = attempts + 1, updated_at = ? WHERE idempotency_key = ?",
                          json.dumps(dossier), _now(), key)
        logger.info("queued submission %s delivered as %s", key, dossier.get("reference"))
        return True

    async def result(self, idempotency_key: str) -> SubmitResult | None:
        """What became of a queued submission (dossier set once delivered)."""
        connection = await self._db()
        try:
            async with connection.execute(
                "SELECT state, result FROM outbox WHERE idempotency_key = ?",
                (idempotency_key,)) as cursor:
                row = await cursor.fetchone()
        finally:
            await connection.close()
        if row is None:
            return None
        dossier = json.loads(row[1]) if row[1] else None
        return SubmitResult(idempotency_key, row[0] == "pending", dossier)


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
