"""Signed outgoing webhooks of the dossier service: payload, HMAC-SHA256 signature with a
timestamp, order per dossier, retries with back-off until the receiver answers 2xx (SQLite and
PostgreSQL), configuration from the tenant file."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.counters import SCHEMA_PATH
from bot.dossiers.service.app import create_dossier_app
from bot.dossiers.service.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookDirectory,
    WebhookTarget,
    WebhookWorker,
    _tenant_targets,
    sign,
    verify,
)
from tests.bot.dossier_fixtures import BACKENDS, OFFICERS, SERVICE_TOKEN, open_storage, submission

NOW = datetime(2026, 11, 23, 10, 30, tzinfo=timezone.utc)
SECRET = "gedeeld-geheim-van-gent-0123456789"
ADMIN = "hook-admin-token-" + "h" * 24
OFFICERS_ALL = {**OFFICERS, ADMIN: ["*"]}


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class Receiver:
    """The municipality's system: records what arrives, answers with the statuses given."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.answers: list[int] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.received.append({"headers": dict(request.headers), "body": body})
        return web.Response(status=self.answers.pop(0) if self.answers else 204)

    def accepted(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.received]


@pytest.fixture(params=BACKENDS)
async def storage(request, tmp_path):
    async with open_storage(request.param, tmp_path) as opened:
        yield opened


@pytest.fixture
async def receiver():
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    server = TestServer(app)
    await server.start_server()
    hook.url = str(server.make_url("/hook"))  # type: ignore[attr-defined]
    yield hook
    await server.close()


def directory(url: str, env: dict[str, str] | None = None) -> WebhookDirectory:
    targets = {("oost-vlaanderen", "gent-economie"): WebhookTarget(url, "GENT_WEBHOOK_SECRET")}
    return WebhookDirectory(targets=targets,
                            env={"GENT_WEBHOOK_SECRET": SECRET} if env is None else env)


async def service(storage, clock, hooks: WebhookDirectory) -> TestClient:
    app = create_dossier_app(storage, OFFICERS_ALL, service_token=SERVICE_TOKEN, clock=clock,
                             webhooks=hooks)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def submit(api: TestClient, key: str = "hook-key-000001", **overrides) -> str:
    response = await api.post("/api/dossiers", json=submission(**overrides), headers={
        "Authorization": f"Bearer {SERVICE_TOKEN}", "Idempotency-Key": key})
    assert response.status in (200, 201), await response.text()
    return str((await response.json())["reference"])


async def change(api: TestClient, reference: str, status: str, note: str | None = None) -> None:
    response = await api.patch(f"/api/dossiers/{reference}", json={"status": status, "note": note},
                               headers={"Authorization": f"Bearer {ADMIN}"})
    assert response.status == 200, await response.text()


async def rows(storage) -> list[dict]:
    async with storage.transaction() as tx:
        return [dict(r) for r in await tx.fetchall(
            "SELECT event_id, attempts, delivered_at, last_status, last_error "
            "FROM webhook_outbox ORDER BY reference, seq")]


async def test_new_dossiers_and_status_changes_arrive_signed_and_in_order(storage, receiver):
    clock, hooks = Clock(), directory(receiver.url)
    api = await service(storage, clock, hooks)
    try:
        reference = await submit(api)
        await api.post(f"/api/dossiers/{reference}/notes", json={"text": "Intern: bellen."},
                       headers={"Authorization": f"Bearer {ADMIN}"})
        clock.now += timedelta(minutes=5)
        await change(api, reference, "in_behandeling", "We bekijken je aanvraag.")
        await submit(api, "hook-key-000002", counter="aalst-ondernemersloket")  # no webhook
    finally:
        await api.close()
    worker = WebhookWorker(storage, hooks, clock)
    assert await worker.deliver_due() == 2
    assert await worker.deliver_due() == 0
    created, changed = receiver.accepted()
    assert created["event"] == "dossier.created" and created["event_id"] == f"{reference}/1"
    assert created["dossier"]["reference"] == reference
    assert created["dossier"]["status"] == "received"
    assert created["dossier"]["applicant"]["name"] == "Lotte Verbeke"
    assert created["dossier"]["fields"]["surface"] == 18.5
    assert changed["event"] == "dossier.status_changed"
    assert {k: changed["change"][k] for k in ("seq", "from", "to", "note")} == {
        "seq": 2, "from": "received", "to": "in_behandeling", "note": "We bekijken je aanvraag."}
    assert changed["change"]["by"].startswith("officer-")  # the token's id, never the token
    assert changed["change"]["at"] == (NOW + timedelta(minutes=5)).isoformat()
    assert changed["dossier"]["status"] == "in_behandeling"
    for raw in receiver.received:
        body, headers = raw["body"], raw["headers"]
        assert b"Intern" not in body and b"conversation_id" not in body
        assert b"assignee" not in body
        assert headers["Content-Type"].startswith("application/json")
        assert headers[EVENT_HEADER] in ("dossier.created", "dossier.status_changed")
        assert headers[DELIVERY_HEADER] in (f"{reference}/1", f"{reference}/2")
        assert verify(SECRET, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER],
                      now=clock.now.timestamp())
        assert headers[SIGNATURE_HEADER] == sign(SECRET, int(headers[TIMESTAMP_HEADER]), body)
        assert not verify("een ander geheim", headers[TIMESTAMP_HEADER], body,
                          headers[SIGNATURE_HEADER], now=clock.now.timestamp())
        assert not verify(SECRET, headers[TIMESTAMP_HEADER], body + b" ",
                          headers[SIGNATURE_HEADER], now=clock.now.timestamp())
    assert [r["last_status"] for r in await rows(storage)] == [204, 204]


async def test_a_dead_receiver_delays_events_and_loses_none(storage, receiver):
    clock, hooks = Clock(), directory(receiver.url)
    api = await service(storage, clock, hooks)
    try:
        reference = await submit(api)
        await change(api, reference, "in_behandeling")
    finally:
        await api.close()
    receiver.answers = [503, 500]
    worker = WebhookWorker(storage, hooks, clock, first_retry_seconds=30)
    assert await worker.deliver_due() == 0  # 503; the status change waits for the creation
    assert len(receiver.received) == 1
    assert await worker.deliver_due() == 0  # not due before the back-off
    clock.now += timedelta(seconds=31)
    assert await worker.deliver_due() == 0  # 500: the wait doubles
    state = await rows(storage)
    assert state[0]["attempts"] == 2 and state[0]["last_status"] == 500
    assert state[1]["attempts"] == 0
    clock.now += timedelta(seconds=61)
    assert await worker.deliver_due() == 2  # the creation, then the change behind it
    events = [json.loads(r["body"])["event_id"] for r in receiver.received]
    assert events == [f"{reference}/1"] * 3 + [f"{reference}/2"]
    clock.now += timedelta(hours=3)
    assert await worker.deliver_due() == 0
    assert all(r["delivered_at"] is not None for r in await rows(storage))


async def test_a_receiver_that_does_not_listen_or_redirects_is_retried(storage, receiver):
    clock = Clock()
    hooks = directory("http://127.0.0.1:9/hook")
    api = await service(storage, clock, hooks)
    try:
        await submit(api)
    finally:
        await api.close()
    worker = WebhookWorker(storage, hooks, clock, timeout_seconds=2)
    assert await worker.deliver_due() == 0
    [row] = await rows(storage)
    assert row["attempts"] == 1 and row["last_error"] and row["delivered_at"] is None
    receiver.answers = [302]
    clock.now += timedelta(minutes=1)
    moved = WebhookWorker(storage, directory(receiver.url), clock)
    assert await moved.deliver_due() == 0  # a redirect is not a delivery
    clock.now += timedelta(minutes=2)
    assert await moved.deliver_due() == 1


async def test_without_the_secret_nothing_is_sent_until_it_is_set(storage, receiver):
    clock = Clock()
    api = await service(storage, clock, directory(receiver.url, env={}))
    try:
        await submit(api)
    finally:
        await api.close()
    assert await WebhookWorker(storage, directory(receiver.url, env={}), clock).deliver_due() == 0
    assert receiver.received == []
    assert "GENT_WEBHOOK_SECRET" in (await rows(storage))[0]["last_error"]
    clock.now += timedelta(minutes=1)
    assert await WebhookWorker(storage, directory(receiver.url), clock).deliver_due() == 1


async def test_the_running_service_delivers_at_once(tmp_path, receiver):
    import asyncio

    async with open_storage("sqlite", tmp_path) as storage:
        app = create_dossier_app(storage, OFFICERS_ALL, service_token=SERVICE_TOKEN,
                                 webhooks=directory(receiver.url), deliver_webhooks=True,
                                 webhook_interval_seconds=60)
        api = TestClient(TestServer(app))
        await api.start_server()
        try:
            reference = await submit(api)
            for _ in range(100):
                if receiver.received:
                    break
                await asyncio.sleep(0.05)
        finally:
            await api.close()
    assert [e["event_id"] for e in receiver.accepted()] == [f"{reference}/1"]


def test_signatures_have_a_time_window():
    body = b'{"event": "dossier.created"}'
    signature = sign(SECRET, 1_800_000_000, body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify(SECRET, "1800000000", body, signature, now=1_800_000_100)
    assert not verify(SECRET, "1800000000", body, signature, now=1_800_000_400)
    assert not verify(SECRET, "gisteren", body, signature, now=1_800_000_000)


def test_the_tenant_file_names_the_url_and_the_secrets_variable(tmp_path: Path):
    tenant = yaml.safe_load((Path("content/tenants/oost-vlaanderen.yml")).read_text("utf-8"))
    gent = next(c for c in tenant["counters"] if c["id"] == "gent")
    gent["webhook"] = {"url": "https://zaken.gent.example.be/hooks/ondernemersloket",
                       "secret_env": "GENT_WEBHOOK_SECRET"}
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    jsonschema.validate(tenant, schema)
    path = tmp_path / "tenants" / "oost-vlaanderen.yml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(tenant, allow_unicode=True), "utf-8")
    _tenant_targets.cache_clear()
    found = WebhookDirectory(tmp_path, env={"GENT_WEBHOOK_SECRET": "x"})
    target = found.target("oost-vlaanderen", "gent")
    assert target == WebhookTarget("https://zaken.gent.example.be/hooks/ondernemersloket",
                                   "GENT_WEBHOOK_SECRET")
    assert found.secret(target) == "x"
    assert found.target("oost-vlaanderen", "aalst") is None
    for bad in ({"url": "http://zaken.gent.example.be/hook", "secret_env": "GENT_SECRET"},
                {"url": "https://zaken.gent.example.be/hook", "secret": "in het bestand"}):
        gent["webhook"] = bad
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(tenant, schema)
