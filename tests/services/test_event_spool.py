"""Events a Rasa replica could not publish wait in Redis (production profile), so a replica that
is killed leaves them to another one instead of taking them with it (a fault run lost 116 owner
turns that way). Real RabbitMQ (taken away through the fault proxy for the replica that dies),
real Redis, and a real process killed with SIGKILL."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import sys

import pytest
from redis import asyncio as redis_asyncio

from bot.shared_state import SharedStateSettings
from connectors import pika_broker
from connectors.event_spool import EventSpool
from launcher import ROOT
from tests.services.fault_proxies import server_behind_proxy
from tests.services.redis_helpers import REDIS_URL, shared  # noqa: F401 - fixture
from tests.services.test_event_broker_outage import (
    event,
    queue,  # noqa: F401 - fixture
    received,
)

# A replica that cannot reach RabbitMQ: it keeps what it publishes, then is killed.
DYING_REPLICA = """
import asyncio, json, sys, time
from bot.shared_state import SharedStateSettings
from connectors import event_spool
from connectors.pika_broker import ReliablePikaEventBroker

event_spool.LEASE_MS = 1500
port, queue, exchange, prefix, count = sys.argv[1:6]

async def main():
    broker = ReliablePikaEventBroker(
        "127.0.0.1", "guest", "guest", port=int(port), queues=[queue], exchange_name=exchange,
        connection_attempts=1, retry_delay_in_seconds=0.1,
        shared_state=SharedStateSettings("redis://127.0.0.1:6379/1", prefix))
    try:
        await broker.connect()
    except Exception:
        pass  # RabbitMQ is away from the start: every event is kept
    for number in range(int(count)):
        broker.publish({"event": "user", "sender_id": "ci-dying", "text": f"vraag {number}",
                        "timestamp": time.time()})
    spool = event_spool.EventSpool.from_settings(SharedStateSettings(
        "redis://127.0.0.1:6379/1", prefix))
    while await spool.length() < int(count) or broker.unpublished:
        await asyncio.sleep(0.05)
    print("spooled", flush=True)
    await asyncio.sleep(3600)  # killed here, its drain task still holding the lease

asyncio.run(main())
"""


@pytest.fixture()
def proxy(tmp_path):
    with server_behind_proxy(tmp_path, "RabbitMQ", "rabbitmq", 5672) as running:
        yield running


async def live_broker(queue_name: str, exchange: str,
                      settings: SharedStateSettings) -> pika_broker.ReliablePikaEventBroker:
    broker = pika_broker.ReliablePikaEventBroker(
        "127.0.0.1", "guest", "guest", port=5672, queues=[queue_name], exchange_name=exchange,
        shared_state=settings)
    await broker.connect()
    return broker


async def test_a_killed_replicas_kept_events_are_published_by_another(
        proxy, queue, shared, monkeypatch):  # noqa: F811
    monkeypatch.setattr(pika_broker, "WATCH_SECONDS", 0.5)
    exchange = "citest-exchange-" + queue.name[-8:]
    proxy.down("rabbitmq")
    dying = await asyncio.create_subprocess_exec(
        sys.executable, "-c", DYING_REPLICA, str(proxy.ports["rabbitmq"]), queue.name,
        exchange, shared.prefix, "60", cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    try:
        assert dying.stdout is not None
        line = await asyncio.wait_for(dying.stdout.readline(), 60)
        assert line.strip() == b"spooled"
    finally:
        dying.kill()  # SIGKILL: nothing of it runs any more
        await dying.wait()

    survivor = await live_broker(queue.name, exchange, shared)
    try:
        bodies = await received(queue, 60, 30)  # the dead one's lease runs out after 1.5 s
        assert survivor.republished == 60
        assert await EventSpool.from_settings(shared).length() == 0
    finally:
        await survivor.close()
    numbers = [int(body["text"].split()[1]) for body in bodies]
    assert list(dict.fromkeys(numbers)) == list(range(60))  # all of them, in order


async def test_a_replica_stopped_while_rabbitmq_is_away_hands_its_events_over(
        proxy, queue, shared, caplog):  # noqa: F811
    exchange = "citest-exchange-" + queue.name[-8:]
    stopping = pika_broker.ReliablePikaEventBroker(
        "127.0.0.1", "guest", "guest", port=proxy.ports["rabbitmq"], queues=[queue.name],
        exchange_name=exchange, shared_state=shared)
    await stopping.connect()
    proxy.down("rabbitmq")
    for number in range(10):
        stopping.publish(event("ci-stopping", number))
    await asyncio.sleep(0.5)
    with caplog.at_level(logging.WARNING):
        await stopping.close()
    assert not any("they are lost" in record.getMessage() for record in caplog.records)

    survivor = await live_broker(queue.name, exchange, shared)
    try:
        bodies = await received(queue, 10, 20)
    finally:
        await survivor.close()
    assert sorted({int(body["text"].split()[1]) for body in bodies}) == list(range(10))


async def test_only_the_lease_holder_removes_events(shared):  # noqa: F811
    first, second = (EventSpool.from_settings(shared) for _ in range(2))
    assert first is not None and second is not None
    try:
        await first.push([({"event": "user", "n": n}, None) for n in range(5)])
        assert await first.lease() and not await second.lease()
        client = redis_asyncio.Redis.from_url(REDIS_URL)
        await client.delete(shared.key("broker", "drain"))  # the first one's lease ran out
        await client.close()
        assert await second.lease()
        assert not await first.drop_oldest(3)  # too late: nothing removed
        assert await first.length() == 5
        assert await second.drop_oldest(3)
        left = [json.loads(raw)["event"]["n"] for raw in await second.oldest(10)]
        assert left == [3, 4]
    finally:
        await first.close()
        await second.close()


async def test_without_redis_the_events_wait_in_memory(proxy, queue):  # noqa: F811
    exchange = "citest-exchange-" + queue.name[-8:]
    unreachable = SharedStateSettings("redis://127.0.0.1:9/1", "citest-" + secrets.token_hex(4))
    broker = pika_broker.ReliablePikaEventBroker(
        "127.0.0.1", "guest", "guest", port=proxy.ports["rabbitmq"], queues=[queue.name],
        exchange_name=exchange, shared_state=unreachable)
    await broker.connect()
    try:
        proxy.down("rabbitmq")
        for number in range(20):
            broker.publish(event("ci-memory", number))
        for _ in range(150):  # publishes in flight fail first (at most 30 s)
            if broker.unpublished == 20:
                break
            await asyncio.sleep(0.2)
        assert broker.unpublished == 20  # Redis refused them: kept here, not lost
        proxy.up("rabbitmq")
        for _ in range(300):  # at most 60 s
            if not broker.unpublished:
                break
            await asyncio.sleep(0.2)
        bodies = await received(queue, 20, 20)
    finally:
        await broker.close()
    assert sorted({int(body["text"].split()[1]) for body in bodies}) == list(range(20))


async def test_a_saved_turn_is_in_redis_before_the_owner_gets_the_reply(
        proxy, queue, shared, tmp_path):  # noqa: F811
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from connectors.tracker_store import PrivateSQLTrackerStore

    broker = pika_broker.ReliablePikaEventBroker(
        "127.0.0.1", "guest", "guest", port=proxy.ports["rabbitmq"], queues=[queue.name],
        exchange_name="citest-exchange-" + queue.name[-8:], shared_state=shared)
    await broker.connect()
    spool = EventSpool.from_settings(shared)
    assert spool is not None
    try:
        proxy.down("rabbitmq")  # nothing leaves the spool: what is there is what save wrote
        domain = Domain.load(str(ROOT / "domain"))
        store = PrivateSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.sqlite3"),
                                       event_broker=broker)
        tracker = DialogueStateTracker("ci-turn", domain.slots)
        tracker.update(UserUttered("mag ik een terras zetten?", {"name": "ask_terrasvergunning",
                                                                 "confidence": 0.9}))
        tracker.update(BotUttered("Dat hangt af van je gemeente."))
        await store.save(tracker)
        assert await spool.length() == 2  # both events, before save returned
    finally:
        await spool.close()
        await broker.close()
