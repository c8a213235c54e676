"""Closed dossiers are deleted after their tenant's retention.

A dossier is closed when an officer sets it to `afgesloten` (approved and refused dossiers are
closed afterwards); it is deleted once that change is older than `retention_days.closed_dossiers`
of its tenant (`content/tenants/<tenant>.yml`). Not set (`null`, the default) or no tenant
file: closed dossiers are kept. Deleting the dossier row deletes everything that references it
(`ON DELETE CASCADE`): status history, internal notes, owner mails, webhook events, attachments,
owner answers and conversation grants.

The service purges every `PURGE_INTERVAL_SECONDS` (`PurgeWorker`, started by the app);
`make purge` (`bot/retention.py`) runs `purge_closed_dossiers` on the same store once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path

from bot.catalog import ContentError
from bot.counters import load_tenant
from bot.dossiers.models import CLOSED
from bot.dossiers.service.sql import SqlStorage
from bot.paths import DEFAULT_CONTENT_DIR

logger = logging.getLogger(__name__)
RetentionFor = Callable[[str], int | None]  # tenant id -> days closed dossiers are kept

_TENANTS = "SELECT DISTINCT tenant FROM dossiers WHERE status = ?"
_DELETE = (
    "DELETE FROM dossiers WHERE tenant = ? AND status = ? AND reference IN ("
    "SELECT reference FROM dossier_status_history WHERE to_status = ? AND changed_at < ?)"
)


def tenant_retention(content_dir: Path = DEFAULT_CONTENT_DIR) -> RetentionFor:
    """Days from `retention_days.closed_dossiers` of content/tenants/<tenant>.yml, read at
    every purge (officers edit the file); None when unset or the file is missing or broken."""

    def days(tenant: str) -> int | None:
        path = content_dir / "tenants" / f"{tenant}.yml"
        if "/" in tenant or "\\" in tenant or not path.is_file():
            return None
        try:
            return load_tenant(path).retention.closed_dossiers
        except ContentError:
            logger.warning("retention: tenant file %s is invalid; its dossiers are kept", path)
            return None

    return days


async def purge_closed_dossiers(storage: SqlStorage, retention_for: RetentionFor,
                                now: datetime) -> int:
    """Delete the dossiers closed longer ago than their tenant keeps them; how many."""
    async with storage.transaction() as tx:
        tenants = [str(row["tenant"]) for row in await tx.fetchall(_TENANTS, CLOSED)]
    deleted = 0
    for tenant in tenants:
        days = retention_for(tenant)
        if days is None:
            continue
        cutoff = storage.to_db_time(now - timedelta(days=days))
        async with storage.transaction() as tx:
            deleted += await tx.execute(_DELETE, tenant, CLOSED, CLOSED, cutoff)
    return deleted


class PurgeWorker:
    """Purges every `interval_seconds`, the first time soon after start-up."""

    def __init__(self, storage: SqlStorage, retention_for: RetentionFor,
                 clock: Callable[[], datetime], *, interval_seconds: float,
                 first_after_seconds: float = 60.0) -> None:
        self.storage = storage
        self.retention_for = retention_for
        self.clock = clock
        self.interval = interval_seconds
        self.first_after = min(first_after_seconds, interval_seconds)

    async def purge_once(self) -> int:
        deleted = await purge_closed_dossiers(self.storage, self.retention_for, self.clock())
        if deleted:
            logger.info("retention: deleted %d closed dossiers", deleted)
        return deleted

    async def run(self) -> None:
        await asyncio.sleep(self.first_after)
        while True:
            try:
                await self.purge_once()
            except Exception:  # the next round tries again
                logger.exception("retention: purging closed dossiers failed")
            await asyncio.sleep(self.interval)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        task = asyncio.create_task(self.run())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
