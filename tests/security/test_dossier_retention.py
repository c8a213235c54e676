"""Closed dossiers are deleted after their tenant's `retention_days.closed_dossiers`, with
everything that references them (status history, notes, owner mails, webhook events,
attachments, grants), by the dossier service on its schedule and by `make purge`; open dossiers
and recently closed ones stay; a tenant that has not decided keeps them."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

from bot.dossiers.service.app import PURGE_WORKER, create_dossier_app
from bot.dossiers.service.documents import Attachment
from bot.dossiers.service.retention import purge_closed_dossiers, tenant_retention
from bot.dossiers.service.sql import SqlStorage
from bot.dossiers.service.webhooks import WebhookDirectory, WebhookTarget
from bot.retention import purge_once
from tests.bot.dossier_fixtures import (
    BACKENDS,
    GENT_OFFICER,
    OFFICERS,
    SERVICE_TOKEN,
    open_storage,
    submission,
)
from tests.conftest import ROOT

NOW = datetime(2026, 11, 23, 10, 30, tzinfo=timezone.utc)
KEEP_DAYS = 365
CHILD_TABLES = ("dossier_status_history", "dossier_notes", "mail_outbox", "webhook_outbox",
                "dossier_attachments", "dossier_owner_grants")


class Clock:
    def __init__(self, start: datetime = NOW) -> None:
        self.start = self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=BACKENDS)
async def storage(request: Any, tmp_path: Path) -> AsyncIterator[SqlStorage]:
    async with open_storage(request.param, tmp_path) as opened:
        assert isinstance(opened, SqlStorage)
        yield opened


def content_with_retention(tmp_path: Path, days: int | None) -> Path:
    """A copy of the tenant file with `closed_dossiers: days`."""
    data = yaml.safe_load((ROOT / "content" / "tenants" / "oost-vlaanderen.yml").read_text(
        encoding="utf-8"))
    data["retention_days"]["closed_dossiers"] = days
    folder = tmp_path / f"content-{days}" / "tenants"
    folder.mkdir(parents=True)
    (folder / "oost-vlaanderen.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return folder.parent


async def seed(storage: SqlStorage, clock: Clock) -> dict[str, str]:
    """Three dossiers: closed 400 days ago, closed 10 days ago, open since 400 days. Each has
    mails, a webhook event, a note, an attachment and a conversation grant."""
    hooks = WebhookDirectory(targets={("oost-vlaanderen", "gent-economie"):
                                      WebhookTarget("http://127.0.0.1:1/hook", "HOOK_SECRET")})
    app = create_dossier_app(storage, OFFICERS, service_token=SERVICE_TOKEN, clock=clock,
                             webhooks=hooks, migrate_on_startup=False)
    api = TestClient(TestServer(app))
    await api.start_server()
    officer = {"Authorization": f"Bearer {GENT_OFFICER}"}
    made: dict[str, str] = {}
    try:
        for name, age, close in (("old_closed", 400, True), ("new_closed", 10, True),
                                 ("old_open", 400, False)):
            clock.now = clock.start - timedelta(days=age + 5)
            response = await api.post("/api/dossiers", json=submission(), headers={
                "Authorization": f"Bearer {SERVICE_TOKEN}", "Idempotency-Key": f"seed-{name}"})
            assert response.status == 201, await response.text()
            reference = (await response.json())["reference"]
            made[name] = reference
            assert (await api.post(f"/api/dossiers/{reference}/notes", headers=officer,
                                   json={"text": "Intern."})).status == 201
            clock.now = clock.start - timedelta(days=age)
            status = "afgesloten" if close else "in_behandeling"
            assert (await api.patch(f"/api/dossiers/{reference}", headers=officer,
                                    json={"status": status})).status == 200
            content = b"%PDF-1.4 plan"
            await storage.add_attachment(
                Attachment(id=f"att-{name}", reference=reference, seq=0, filename="plan.pdf",
                           content_type="application/pdf", size=len(content),
                           sha256=hashlib.sha256(content).hexdigest(), uploaded_by="owner",
                           created_at=clock.now), content, conversation_id=None, max_count=20)
            await storage.grant_conversation(reference, "conv-1",
                                             clock.start + timedelta(days=1))
    finally:
        await api.close()
    return made


async def rows(storage: SqlStorage, reference: str) -> dict[str, int]:
    counts = {}
    async with storage.transaction() as tx:
        for table in ("dossiers", *CHILD_TABLES):
            row = await tx.fetchone(
                f"SELECT COUNT(*) AS n FROM {table} WHERE reference = ?", reference)
            counts[table] = int(row["n"]) if row else 0
    return counts


async def test_closed_dossiers_past_retention_go_with_everything_that_references_them(
        storage: SqlStorage, tmp_path: Path) -> None:
    made = await seed(storage, Clock())
    before = await rows(storage, made["old_closed"])
    assert all(count >= 1 for count in before.values()), before  # mails, webhooks, ... exist
    per_tenant = tenant_retention(content_with_retention(tmp_path, KEEP_DAYS))
    assert await purge_closed_dossiers(storage, per_tenant, NOW) == 1
    assert await rows(storage, made["old_closed"]) == dict.fromkeys(before, 0)
    for kept in ("new_closed", "old_open"):
        assert (await rows(storage, made[kept]))["dossiers"] == 1
        assert await storage.get(made[kept]) is not None
    assert await purge_closed_dossiers(storage, per_tenant, NOW) == 0  # nothing left to do


async def test_a_tenant_that_has_not_decided_keeps_closed_dossiers(
        storage: SqlStorage, tmp_path: Path) -> None:
    made = await seed(storage, Clock())
    undecided = tenant_retention(content_with_retention(tmp_path, None))
    assert await purge_closed_dossiers(storage, undecided, NOW) == 0
    assert await purge_closed_dossiers(storage, tenant_retention(tmp_path / "none"), NOW) == 0
    assert await purge_closed_dossiers(storage, tenant_retention(), NOW) == 0  # shipped: null
    for reference in made.values():
        assert (await rows(storage, reference))["dossiers"] == 1


async def test_the_dossier_service_purges_on_its_schedule(storage: SqlStorage,
                                                          tmp_path: Path) -> None:
    clock = Clock()
    made = await seed(storage, clock)
    clock.now = NOW
    app = create_dossier_app(
        storage, OFFICERS, service_token=SERVICE_TOKEN, clock=clock, migrate_on_startup=False,
        purge_interval_seconds=0.05,
        closed_retention=tenant_retention(content_with_retention(tmp_path, KEEP_DAYS)))
    api = TestClient(TestServer(app))
    await api.start_server()
    try:
        for _ in range(100):
            if await storage.get(made["old_closed"]) is None:
                break
            await asyncio.sleep(0.05)
        assert await storage.get(made["old_closed"]) is None
        assert await storage.get(made["new_closed"]) is not None
        assert app[PURGE_WORKER].interval == 0.05
    finally:
        await api.close()


async def test_make_purge_deletes_closed_dossiers_of_the_state_directory(tmp_path: Path) -> None:
    async with open_storage("sqlite", tmp_path) as storage:
        assert isinstance(storage, SqlStorage)
        made = await seed(storage, Clock(datetime.now(timezone.utc)))  # `make purge` runs now
    env = {**os.environ, "HANDOFF_DB": str(tmp_path / "handoff.sqlite3"),
           "FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
           "INSIGHTS_DB_URL": f"sqlite:///{tmp_path / 'insights.sqlite3'}",
           "INSIGHTS_EVENTS_DB": str(tmp_path / "events.sqlite3"),
           "CONTENT_DIR": str(content_with_retention(tmp_path, KEEP_DAYS)),
           "TENANT": "oost-vlaanderen"}
    for name in ("PROFILE", "TRACKER_DB_URL", "DOSSIER_DB_URL"):
        env.pop(name, None)  # the dossier store is found next to HANDOFF_DB, as the launcher has it
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bot.retention"], env=env, cwd=ROOT,
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    counts = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines()[1:]}
    assert counts["closed_dossiers"] == "1"
    assert (await purge_once(env)).counts["closed_dossiers"] == 0
    async with open_storage("sqlite", tmp_path) as storage:
        assert await storage.get(made["old_closed"]) is None
        assert await storage.get(made["new_closed"]) is not None
        assert await storage.get(made["old_open"]) is not None
