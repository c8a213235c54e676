"""The officer console's live events through the machine's Redis: an event published on one
web app replica reaches the officers of that counter on every replica, once."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.handoff.broker import RedisEventBroker, event_broker
from bot.handoff.web.services import HOLDER_KEY
from bot.shared_state import SharedStateSettings
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.handoff.conftest import PASSWORD, FakeRasa
from tests.bot.handoff.test_web_api import BODY, read_event
from tests.bot.handoff.web_helpers import bearer, hub, login_ok
from tests.services.redis_helpers import shared
from tests.web.test_chat import FakeRasa as FakeChat

__all__ = ["shared"]


@asynccontextmanager
async def replicas(settings: SharedStateSettings, count: int = 2
                   ) -> AsyncIterator[list[RedisEventBroker]]:
    brokers = [event_broker(settings) for _ in range(count)]
    assert all(isinstance(b, RedisEventBroker) for b in brokers)
    for broker in brokers:
        await broker.start()
    try:
        yield brokers  # type: ignore[misc]
    finally:
        for broker in brokers:
            broker.close()
            await broker.stop()


async def test_an_event_on_one_replica_reaches_the_counter_on_both_once(
        shared: SharedStateSettings) -> None:
    async with replicas(shared) as (first, second):
        here, there = first.subscribe(["aalst"]), second.subscribe(["aalst", "gent"])
        elsewhere = second.subscribe(["gent"])
        first.publish("aalst", {"type": "queue"})
        first.publish("aalst", {"type": "request", "request_id": 7})
        for subscription in (here, there):
            assert await subscription.next(2) == {"type": "queue"}
            assert await subscription.next(2) == {"type": "request", "request_id": 7}
            assert await subscription.next(0.3) == {}  # nothing twice
        assert await elsewhere.next(0.3) == {}


async def test_events_still_flow_after_a_quiet_spell(shared: SharedStateSettings) -> None:
    async with replicas(shared) as (first, second):
        there = second.subscribe(["aalst"])
        await asyncio.sleep(2.5)  # longer than the client's socket timeout
        first.publish("aalst", {"type": "queue"})
        assert await there.next(2) == {"type": "queue"}


async def test_a_transcript_hint_stays_on_its_replica(shared: SharedStateSettings) -> None:
    async with replicas(shared) as (first, second):
        here, there = first.subscribe(["aalst"]), second.subscribe(["aalst"])
        first.publish_local("aalst", {"type": "transcript", "request_id": 3})
        assert await here.next(1) == {"type": "transcript", "request_id": 3}
        assert await there.next(0.3) == {}


async def test_redis_down_delivers_in_this_process() -> None:
    broker = event_broker(SharedStateSettings("redis://127.0.0.1:1/1", "test-down"))
    await broker.start()
    try:
        mine = broker.subscribe(["aalst"])
        broker.publish("aalst", {"type": "queue"})
        assert await mine.next(3) == {"type": "queue"}
    finally:
        broker.close()
        await broker.stop()


async def test_an_officer_on_one_web_app_replica_sees_a_request_made_on_the_other(
        shared: SharedStateSettings, aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))  # one database
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", "test-service-token-123")
    clients = []
    for _ in range(2):
        app = create_app(WebConfig(), rasa=FakeChat())  # type: ignore[arg-type]
        holder = app[HOLDER_KEY]
        holder.config = dataclasses.replace(holder.config, shared_state=shared)
        holder.tracker_api = FakeRasa()
        clients.append(await aiohttp_client(app))
    first, second = clients
    await hub(second).officers.create("sofie", PASSWORD, ["aalst"], display_name="Sofie")
    await login_ok(second, "sofie")
    stream = await second.get("/officer/events")
    await asyncio.sleep(0.1)
    created = await first.post("/api/handoff/requests", json=BODY, headers=bearer())
    assert created.status in (200, 201)
    event = await read_event(stream)
    assert event.startswith("event: queue")
    stream.close()
