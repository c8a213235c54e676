"""DossierClient against the real service and against misbehaving fakes; the outbox."""

from __future__ import annotations

import asyncio
import json
import time

import aiosqlite
import pytest
from aiohttp import web

from bot.dossiers.client.api import (
    DossierClient,
    Invalid,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
)
from bot.dossiers.client.outbox import Outbox, deliver_periodically
from bot.dossiers.service.app import create_dossier_app
from tests.bot.dossier_fixtures import (
    BACKENDS,
    OFFICERS,
    SERVICE_TOKEN,
    free_port,
    open_storage,
    serving,
    submission,
)


@pytest.fixture(params=BACKENDS)
async def storage(request, tmp_path):
    async with open_storage(request.param, tmp_path) as opened:
        yield opened


def service_app(storage) -> web.Application:
    return create_dossier_app(storage, OFFICERS, service_token=SERVICE_TOKEN)


class Recorder:
    """A fake service: answers from a list of (status, body, delay) and records requests."""

    def __init__(self, answers: list[tuple[int, object, float]]) -> None:
        self.answers = answers
        self.requests: list[web.Request] = []
        self.keys: list[str | None] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(request)
        self.keys.append(request.headers.get("Idempotency-Key"))
        status, body, delay = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if delay:
            await asyncio.sleep(delay)
        return web.json_response(body, status=status)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app


async def no_sleep(_: float) -> None:
    return None


async def test_create_and_get_status_against_the_service(storage):
    async with serving(service_app(storage), free_port()) as url, \
            DossierClient(url, SERVICE_TOKEN) as client:
        created = await client.create(submission(), "client-key-0001")
        assert created["status"] == "received"
        again = await client.create(submission(), "client-key-0001")
        assert again["reference"] == created["reference"]
        status = await client.get_status(created["reference"].lower(), "LOTTE.VERBEKE@example.be")
        assert status["status"] == "received"
        with pytest.raises(NotFound):
            await client.get_status(created["reference"], "iemand.anders@example.be")
        with pytest.raises(Invalid) as rejected:
            await client.create(submission(applicant={"name": "x", "email": "nee"}), "client-key-2")
        assert {"field": "applicant.email", "code": "email_format"} in rejected.value.details
        assert rejected.value.code == "invalid_submission"
    assert len(await storage.list_for_counter("gent-economie")) == 1


async def test_a_wrong_token_is_not_retried():
    fake = Recorder([(401, {"error": "unauthorized"}, 0)])
    async with serving(fake.app(), free_port()) as url, \
            DossierClient(url, "wrong", sleep=no_sleep) as client:
        with pytest.raises(Unauthorized):
            await client.create(submission(), "key-123456789")
    assert len(fake.requests) == 1


async def test_server_errors_are_retried_with_the_same_idempotency_key_and_backoff():
    fake = Recorder([(503, {}, 0), (500, {}, 0), (201, {"reference": "OVL-2026-K7M4QX"}, 0)])
    pauses: list[float] = []

    async def record_sleep(seconds: float) -> None:
        pauses.append(seconds)

    async with serving(fake.app(), free_port()) as url, \
            DossierClient(url, SERVICE_TOKEN, retries=2, backoff=0.2, sleep=record_sleep) as client:
        created = await client.create(submission(), "retry-key-12345")
    assert created["reference"] == "OVL-2026-K7M4QX"
    assert fake.keys == ["retry-key-12345"] * 3
    assert pauses == [0.2, 0.4]


async def test_persistent_failure_becomes_service_unavailable():
    fake = Recorder([(502, {}, 0)])
    async with serving(fake.app(), free_port()) as url, \
            DossierClient(url, SERVICE_TOKEN, retries=2, sleep=no_sleep) as client:
        with pytest.raises(ServiceUnavailable):
            await client.get_status("OVL-2026-K7M4QX", "a@b.be")
    assert len(fake.requests) == 3


async def test_a_hanging_service_times_out():
    fake = Recorder([(200, {}, 5.0)])
    async with serving(fake.app(), free_port()) as url, \
            DossierClient(url, SERVICE_TOKEN, timeout=0.3, retries=1, sleep=no_sleep) as client:
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable):
            await client.create(submission(), "slow-key-123456")
        assert time.monotonic() - started < 2.0
    assert len(fake.requests) == 2


async def test_nobody_listening_is_service_unavailable():
    client = DossierClient(f"http://127.0.0.1:{free_port()}", SERVICE_TOKEN, sleep=no_sleep)
    try:
        with pytest.raises(ServiceUnavailable):
            await client.create(submission(), "down-key-123456")
        assert await client.healthy() is False
    finally:
        await client.close()


async def count_dossiers(storage) -> int:
    return len(await storage.list_for_counter("gent-economie"))


async def test_outbox_keeps_a_submission_while_the_service_is_down_and_delivers_it_once(
        storage, tmp_path):
    port = free_port()
    client = DossierClient(f"http://127.0.0.1:{port}", SERVICE_TOKEN, retries=1, sleep=no_sleep)
    outbox = Outbox(client, tmp_path / "outbox.sqlite3")
    try:
        queued = await outbox.submit(submission(), "outbox-key-0001")
        assert queued.queued and queued.reference is None
        assert await outbox.pending_count() == 1
        assert await outbox.deliver_pending() is False  # still down: stays queued
        assert await outbox.pending_count() == 1

        async with serving(service_app(storage), port):
            assert await outbox.deliver_pending() is True
            assert await count_dossiers(storage) == 1
            assert await outbox.deliver_pending() is True
            assert await count_dossiers(storage) == 1
            assert await outbox.pending_count() == 0
            result = await outbox.result("outbox-key-0001")
            assert result is not None and not result.queued
            dossier = await storage.get(result.reference or "")
            assert dossier is not None and dossier.applicant.name == "Lotte Verbeke"
    finally:
        await client.close()
    async with aiosqlite.connect(tmp_path / "outbox.sqlite3") as db, \
            db.execute("SELECT payload FROM outbox") as cursor:
        assert [row[0] for row in await cursor.fetchall()] == ["{}"]  # personal data removed


async def test_a_delivery_repeated_after_a_lost_answer_makes_no_second_dossier(storage, tmp_path):
    port = free_port()
    async with serving(service_app(storage), port) as url, \
            DossierClient(url, SERVICE_TOKEN, sleep=no_sleep) as client:
        # The service created the dossier but the answer never reached the outbox.
        await client.create(submission(), "lost-answer-key-1")
        outbox = Outbox(client, tmp_path / "outbox.sqlite3")
        await outbox.pending_count()  # creates the table
        async with aiosqlite.connect(tmp_path / "outbox.sqlite3") as db:
            await db.execute(
                "INSERT INTO outbox (idempotency_key, payload, created_at, updated_at) "
                "VALUES (?, ?, '2026-11-23T10:00:00', '2026-11-23T10:00:00')",
                ("lost-answer-key-1", json.dumps(submission())))
            await db.commit()
        assert await outbox.deliver_pending() is True
    assert await count_dossiers(storage) == 1


async def test_submit_delivers_directly_when_the_service_is_up(storage, tmp_path):
    async with serving(service_app(storage), free_port()) as url, \
            DossierClient(url, SERVICE_TOKEN) as client:
        outbox = Outbox(client, tmp_path / "outbox.sqlite3")
        result = await outbox.submit(submission())
        assert not result.queued and result.reference
        assert await outbox.pending_count() == 0
    assert await count_dossiers(storage) == 1


async def test_a_queued_submission_the_service_rejects_is_not_retried_forever(storage, tmp_path):
    port = free_port()
    client = DossierClient(f"http://127.0.0.1:{port}", SERVICE_TOKEN, retries=0, sleep=no_sleep)
    outbox = Outbox(client, tmp_path / "outbox.sqlite3")
    try:
        bad = submission(fields={"address": "Voorbeeldstraat 1"})
        assert (await outbox.submit(bad, "bad-key-1234567")).queued
        assert (await outbox.submit(submission(), "good-key-123456")).queued
        async with serving(service_app(storage), port):
            assert await outbox.deliver_pending() is True
        assert await outbox.pending_count() == 0
        rejected = await outbox.result("bad-key-1234567")
        assert rejected is not None and rejected.dossier is None and not rejected.queued
    finally:
        await client.close()
    assert await count_dossiers(storage) == 1


async def test_the_background_task_delivers_once_the_service_is_back(storage, tmp_path):
    port = free_port()
    client = DossierClient(f"http://127.0.0.1:{port}", SERVICE_TOKEN, retries=0, sleep=no_sleep)
    outbox = Outbox(client, tmp_path / "outbox.sqlite3")
    stop = asyncio.Event()
    try:
        assert (await outbox.submit(submission(), "timer-key-123456")).queued
        task = asyncio.create_task(deliver_periodically(outbox, interval_seconds=0.05, stop=stop))
        async with serving(service_app(storage), port):
            for _ in range(100):
                if await outbox.pending_count() == 0:
                    break
                await asyncio.sleep(0.05)
            stop.set()
            await asyncio.wait_for(task, timeout=5)
    finally:
        await client.close()
    assert await count_dossiers(storage) == 1
