"""Retention: delete what is older than the tenant's `retention_days` (content/tenants/*.yml).

One purge deletes, per store (limit of `retention_days` in brackets):

* `trackers`: Rasa's tracker store (the `events` table of its SQLTrackerStore, SQLite or
  PostgreSQL): every conversation whose newest event is older (`conversations`);
* `broker_events`: events older in the local SQL event broker's table (`conversations`);
* `handoff_requests`, `handoff_messages`: hand-off requests last touched before the limit,
  with their call-back contact data, and officer messages older (`handoff_transcripts`);
* `feedback`: votes older (`feedback`); `audit`: audit log rows older (`audit`);
* `analytics_texts`: masked texts of unanswered messages in the insights store; the counts
  stay (`analytics_texts`);
* `closed_dossiers`: dossiers closed longer ago than their tenant's `closed_dossiers`, with
  everything that references them (bot/dossiers/service/retention.py; the dossier service
  runs the same purge on its own schedule).

Deleted means deleted (`DELETE`, texts set to NULL), never flagged as hidden.

`python -m bot.retention` (`make purge`) runs it once and prints counts per store; the web app
runs it every `PURGE_INTERVAL_SECONDS` (default 3600; the first one a minute after start-up)
through `setup_retention`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from bot.counters import RetentionDays, load_tenant
from bot.deployment import content_dir, tenant
from bot.feedback import FeedbackStore, feedback_location
from bot.handoff.audit import AuditLog
from bot.handoff.config import default_db_path
from bot.handoff.db import Database as HandoffDatabase
from bot.handoff.requests import RequestStore
from bot.insights import store as insights_store
from bot.insights.config import InsightsConfig
from bot.insights.db import Database, open_database
from bot.storage.urls import postgres_url

if TYPE_CHECKING:
    from bot.dossiers.service.retention import RetentionFor
    from bot.dossiers.service.sql import SqlStorage

logger = logging.getLogger(__name__)
DAY = 86400.0
DEFAULT_INTERVAL_SECONDS = 3600.0
FIRST_PURGE_AFTER_SECONDS = 60.0
STORES = ("trackers", "broker_events", "handoff_requests", "handoff_messages", "feedback",
          "audit", "analytics_texts", "closed_dossiers")
_BATCH = 500  # sender ids per DELETE statement


@dataclass(frozen=True)
class Targets:
    """Where the stores are. None = that store is not used in this deployment."""

    tracker_url: str | None = None  # sqlite:///… or postgresql://… (Rasa's tracker store)
    broker_events_db: Path | None = None  # Rasa's SQL event broker (local profile)
    handoff_db: Path | None = None
    handoff_db_url: str | None = None  # HANDOFF_DB_URL (PostgreSQL); wins over handoff_db
    feedback_db: Path | str | None = None  # a SQLite file or a database URL
    insights_url: str | None = None
    dossier_db_url: str | None = None  # the dossier service's store

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Targets:
        handoff = default_db_path(env)
        production = env.get("PROFILE", "local") == "production"
        insights = InsightsConfig.from_env(env)
        return cls(
            tracker_url=tracker_url(env, handoff),
            broker_events_db=None if production else insights.events_db,
            handoff_db=handoff,
            handoff_db_url=env.get("HANDOFF_DB_URL") or None,
            feedback_db=feedback_location(env),
            insights_url=insights.db_url,
            dossier_db_url=env.get("DOSSIER_DB_URL", "").strip()
            or f"sqlite:///{handoff.resolve().parent / 'dossiers.sqlite3'}",
        )


def tracker_url(env: Mapping[str, str], handoff_db: Path) -> str:
    """TRACKER_DB_URL when set; production: PostgreSQL from POSTGRES_* (endpoints.prod.yml);
    local: trackers.sqlite3 in the state directory (the folder of HANDOFF_DB, where the
    launcher puts the tracker store; var/ for `make run`)."""
    if env.get("TRACKER_DB_URL"):
        return env["TRACKER_DB_URL"]
    if env.get("PROFILE", "local") == "production":
        return postgres_url(env)
    return f"sqlite:///{handoff_db.resolve().parent / 'trackers.sqlite3'}"


@dataclass
class PurgeResult:
    counts: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [f"{name:<18} {self.counts[name]:>7} deleted" for name in self.counts]
        out += [f"{name:<18}   error: {error}" for name, error in self.errors.items()]
        return out


def _sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


# --- Rasa's stores ------------------------------------------------------------------------------

def _has_events_table(db: sqlite3.Connection) -> bool:
    """Rasa's tracker store and its SQL event broker both keep an `events` table."""
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                      "name = 'events'").fetchone() is not None


def _purge_sqlite_trackers(path: Path, cutoff: float) -> int:
    if not path.exists():
        return 0
    with closing(sqlite3.connect(path, timeout=10)) as db, db:
        if not _has_events_table(db):
            return 0
        old = [row[0] for row in db.execute(
            "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < ?",
            (cutoff,))]
        for start in range(0, len(old), _BATCH):
            batch = old[start:start + _BATCH]
            db.execute(f"DELETE FROM events WHERE sender_id IN ({','.join('?' * len(batch))})",  # noqa: S608
                       batch)
        return len(old)


async def purge_trackers(url: str, cutoff: float) -> int:
    """Delete every conversation of Rasa's SQL tracker store whose newest event is older than
    `cutoff` (all its events); returns how many conversations. A missing store is empty."""
    path = _sqlite_path(url)
    if path is not None:
        return await asyncio.to_thread(_purge_sqlite_trackers, path, cutoff)
    import asyncpg

    connection = await asyncpg.connect(url, timeout=10)
    try:
        async with connection.transaction():
            if await connection.fetchval("SELECT to_regclass('events')") is None:
                return 0
            old = [row[0] for row in await connection.fetch(
                "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < $1",
                cutoff)]
            if old:
                await connection.execute("DELETE FROM events WHERE sender_id = ANY($1::text[])",
                                         old)
            return len(old)
    finally:
        await connection.close()


def _purge_broker_events(path: Path, cutoff: float) -> int:
    if not path.exists():
        return 0
    with closing(sqlite3.connect(path, timeout=10)) as db, db:
        if not _has_events_table(db):
            return 0
        return int(db.execute("DELETE FROM events WHERE CAST(json_extract(data, '$.timestamp')"
                              " AS REAL) < ?", (cutoff,)).rowcount)


async def purge_broker_events(path: Path, cutoff: float) -> int:
    """Events older than `cutoff` in the SQL event broker's table (id, sender_id, data)."""
    return await asyncio.to_thread(_purge_broker_events, path, cutoff)


# --- our own stores -----------------------------------------------------------------------------

async def purge_analytics_texts(db: Database, cutoff: float) -> int:
    async with db.transaction() as tx:  # the first transaction migrates (role insights)
        return await insights_store.purge_texts(tx, cutoff)


@dataclass
class Stores:
    """Open stores the purge works on (the web app passes its own, `make purge` opens them)."""

    tracker_url: str | None = None
    broker_events_db: Path | None = None
    requests: RequestStore | None = None
    audit: AuditLog | None = None
    feedback: FeedbackStore | None = None
    insights: Database | None = None
    dossiers: SqlStorage | None = None
    closed_retention: RetentionFor | None = None  # per tenant; default content/tenants/*.yml


async def purge(stores: Stores, retention: RetentionDays, now: float | None = None
                ) -> PurgeResult:
    """One purge of every store; a store that fails is reported, the others still run."""
    now = time.time() if now is None else now
    started = time.monotonic()
    result = PurgeResult()

    def cutoff(days: int) -> float:
        return now - days * DAY

    async def run(names: tuple[str, ...], job: Callable[[], Awaitable[int | tuple[int, ...]]]
                  ) -> None:
        try:
            counts = await job()
        except Exception as error:  # one broken store must not stop the rest
            logger.warning("retention: purging %s failed: %s", "/".join(names),
                           type(error).__name__)
            for name in names:
                result.errors[name] = f"{type(error).__name__}: {error}"[:200]
            return
        values = counts if isinstance(counts, tuple) else (counts,)
        result.counts.update(zip(names, values, strict=True))

    if stores.tracker_url:
        url = stores.tracker_url
        await run(("trackers",), lambda: purge_trackers(url, cutoff(retention.conversations)))
    if stores.broker_events_db is not None:
        path = stores.broker_events_db
        await run(("broker_events",),
                  lambda: purge_broker_events(path, cutoff(retention.conversations)))
    if stores.requests is not None:
        requests = stores.requests
        await run(("handoff_requests", "handoff_messages"),
                  lambda: requests.purge_before(cutoff(retention.handoff_transcripts)))
    if stores.feedback is not None:
        feedback = stores.feedback
        moment = datetime.fromtimestamp(cutoff(retention.feedback), timezone.utc)
        await run(("feedback",), lambda: asyncio.to_thread(feedback.purge_before, moment))
    if stores.audit is not None:
        audit = stores.audit
        await run(("audit",), lambda: audit.purge_before(cutoff(retention.audit)))
    if stores.insights is not None:
        insights = stores.insights
        await run(("analytics_texts",),
                  lambda: purge_analytics_texts(insights, cutoff(retention.analytics_texts)))
    if stores.dossiers is not None:
        from bot.dossiers.service.retention import purge_closed_dossiers, tenant_retention

        dossiers, per_tenant = stores.dossiers, stores.closed_retention or tenant_retention()
        moment = datetime.fromtimestamp(now, timezone.utc)
        await run(("closed_dossiers",),
                  lambda: purge_closed_dossiers(dossiers, per_tenant, moment))
    result.seconds = time.monotonic() - started
    deleted = {name: count for name, count in result.counts.items() if count}
    if deleted or result.errors:
        logger.info("retention: deleted %s%s", deleted or "nothing",
                    f", failed: {sorted(result.errors)}" if result.errors else "")
    return result


def tenant_retention(content_dir: Path, tenant: str) -> RetentionDays:
    return load_tenant(content_dir / "tenants" / f"{tenant}.yml").retention


def interval_seconds(env: Mapping[str, str]) -> float | None:
    """PURGE_INTERVAL_SECONDS (default 3600); 0 or `off` = no scheduled purge (cron only)."""
    raw = (env.get("PURGE_INTERVAL_SECONDS", "") or "").strip().lower()
    if raw in ("0", "off"):
        return None
    return max(0.01, float(raw or DEFAULT_INTERVAL_SECONDS))


# --- make purge ---------------------------------------------------------------------------------

def _open_dossier_store(url: str | None) -> SqlStorage | None:
    """The dossier service's store when it exists (PostgreSQL: always)."""
    if not url:
        return None
    path = _sqlite_path(url)
    if path is not None and not path.exists():
        return None
    from bot.dossiers.service.sql import SqlStorage
    from bot.dossiers.service.storage import storage_from_url

    storage = storage_from_url(url)
    return storage if isinstance(storage, SqlStorage) else None


def _open_own_stores(targets: Targets) -> tuple[HandoffDatabase | None, Database | None]:
    """The hand-off and insights databases when they exist (a purge never creates a file)."""
    handoff = HandoffDatabase(targets.handoff_db_url) if targets.handoff_db_url else (
        HandoffDatabase(targets.handoff_db)
        if targets.handoff_db is not None and targets.handoff_db.exists() else None)
    insights_path = _sqlite_path(targets.insights_url or "")
    insights = open_database(targets.insights_url) if targets.insights_url and (
        insights_path is None or insights_path.exists()) else None
    return handoff, insights


async def purge_once(env: Mapping[str, str], now: float | None = None) -> PurgeResult:
    """Open every store named by the environment, purge once, close them."""
    targets = Targets.from_env(env)
    content = content_dir(env)
    retention = tenant_retention(content, tenant(env))
    handoff, insights = await asyncio.to_thread(_open_own_stores, targets)
    dossiers = _open_dossier_store(targets.dossier_db_url)
    try:
        return await purge(Stores(
            tracker_url=targets.tracker_url,
            broker_events_db=targets.broker_events_db,
            requests=RequestStore(handoff) if handoff else None,
            audit=AuditLog(handoff) if handoff else None,
            feedback=FeedbackStore(targets.feedback_db) if targets.feedback_db else None,
            insights=insights, dossiers=dossiers,
            closed_retention=_closed_retention(content)), retention, now)
    finally:
        if dossiers is not None:
            await dossiers.close()
        if handoff is not None:
            await handoff.close()
        if insights is not None:
            await insights.close()


def _closed_retention(content_dir: Path) -> RetentionFor:
    from bot.dossiers.service.retention import tenant_retention

    return tenant_retention(content_dir)


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(purge_once(os.environ))
    print(f"retention purge ({result.seconds:.2f} s):")
    for line in result.lines():
        print("  " + line)
    return 1 if result.errors else 0


# --- the web app --------------------------------------------------------------------------------

def setup_retention(app: web.Application, content: Path, tenant_name: str,
                    env: Mapping[str, str]) -> None:
    """Purge every `PURGE_INTERVAL_SECONDS` in a background task, on the app's own stores
    (registered after the hand-off, widget and insights set-ups)."""
    from bot.handoff.web.services import HOLDER_KEY
    from bot.insights.web import CONSUMER_KEY
    from bot.web.feedback_api import STORE_KEY

    async def loop(stores: Stores, retention: RetentionDays, every: float) -> None:
        await asyncio.sleep(min(every, FIRST_PURGE_AFTER_SECONDS))  # not in the start-up path
        while True:
            try:
                await purge(stores, retention)
            except Exception:  # the next round tries again
                logger.exception("retention: purge failed")
            await asyncio.sleep(every)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        every = interval_seconds(env)
        if every is None:
            yield
            return
        retention = await asyncio.to_thread(tenant_retention, content, tenant_name)
        targets = Targets.from_env(env)
        hub = app[HOLDER_KEY].services if HOLDER_KEY in app else None
        consumer = app.get(CONSUMER_KEY)
        stores = Stores(
            tracker_url=targets.tracker_url, broker_events_db=targets.broker_events_db,
            requests=hub.requests if hub else None, audit=hub.audit if hub else None,
            feedback=app.get(STORE_KEY), insights=consumer.db if consumer else None)
        task = asyncio.create_task(loop(stores, retention, every))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(lifecycle)


if __name__ == "__main__":
    sys.exit(main())
