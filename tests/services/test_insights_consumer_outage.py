"""The web app's insights consumer goes on reading the queue after RabbitMQ was away: in a
fault run it reconnected without its consumer and 31,717 events stayed unread in the queue.
RabbitMQ is taken away from the consumer only, through the fault proxy; the events are
published to the real server, which stays up for everybody else."""

from __future__ import annotations

import asyncio
import json
import secrets

import pytest

from tests.insights.helpers import make_config, make_consumer
from tests.services.fault_proxies import server_behind_proxy

pytestmark = pytest.mark.services
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/"


@pytest.fixture()
def proxy(tmp_path):
    with server_behind_proxy(tmp_path, "RabbitMQ", "rabbitmq", 5672) as running:
        yield running


def event(sender: str, number: int) -> bytes:
    return json.dumps({"event": "user", "sender_id": sender, "text": f"vraag {number}",
                       "timestamp": 1_700_000_000 + number,
                       "parse_data": {"intent": {"name": "ask_topic", "confidence": 0.9}}}
                      ).encode()


def count_written(consumer) -> list[bytes]:
    """The bodies the consumer wrote, in order (its own writing is kept)."""
    handled: list[bytes] = []
    real = consumer.handle_messages

    async def counted(bodies: list[bytes]) -> None:
        await real(bodies)
        handled.extend(bodies)

    consumer.handle_messages = counted
    return handled


async def wait_until(predicate, seconds: float) -> bool:
    for _ in range(int(seconds * 10)):
        if predicate():
            return True
        await asyncio.sleep(0.1)
    return predicate()


@pytest.mark.parametrize("outage_seconds", [3, 12])
async def test_the_consumer_reads_on_after_rabbitmq_was_away(tmp_path, proxy, outage_seconds):
    import aio_pika

    suffix = secrets.token_hex(4)
    config = make_config(tmp_path / "insights", source="rabbitmq",
                         amqp_url=f"amqp://guest:guest@127.0.0.1:{proxy.ports['rabbitmq']}/",
                         exchange=f"citest-insights-{suffix}", queue=f"citest-insights-{suffix}")
    consumer = await make_consumer(config)
    handled = count_written(consumer)
    running = asyncio.create_task(consumer.run())
    publisher = await aio_pika.connect(RABBITMQ)  # straight to the server, not via the proxy
    try:
        channel = await publisher.channel()
        exchange = await channel.declare_exchange(config.exchange, aio_pika.ExchangeType.FANOUT)
        queue = await channel.declare_queue(config.queue, durable=True)
        await queue.bind(exchange, "")

        async def publish(numbers: range) -> None:
            for number in numbers:
                await exchange.publish(aio_pika.Message(event("ci-owner", number)), "")

        await publish(range(20))
        assert await wait_until(lambda: len(handled) == 20, 20), len(handled)
        proxy.down("rabbitmq")
        await publish(range(20, 120))  # waiting in the queue meanwhile
        await asyncio.sleep(outage_seconds)
        proxy.up("rabbitmq")
        await publish(range(120, 140))
        assert await wait_until(lambda: len(set(handled)) == 140, 45), len(set(handled))
        assert running.done() is False
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        channel = await publisher.channel()
        await channel.queue_delete(config.queue)
        await channel.exchange_delete(config.exchange)
        await publisher.close()
        await consumer.db.close()


async def test_a_consumer_that_lost_its_subscription_starts_again(tmp_path, monkeypatch):
    """What the robust connection did in the fault run: connected, but no messages came. The
    queue holds messages and nothing arrives: the consumer starts over and reads them."""
    import aio_pika
    from aio_pika.queue import Queue

    from bot.insights import consumer as consumer_module

    monkeypatch.setattr(consumer_module, "RABBIT_IDLE_CHECK_SECONDS", 1.0, raising=False)
    real_consume, calls = Queue.consume, {"n": 0}

    async def first_subscription_lost(self, callback, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            return "lost"  # subscribed in name only: the server never delivers
        return await real_consume(self, callback, *args, **kwargs)

    monkeypatch.setattr(Queue, "consume", first_subscription_lost)
    suffix = secrets.token_hex(4)
    config = make_config(tmp_path / "insights", source="rabbitmq", amqp_url=RABBITMQ,
                         exchange=f"citest-insights-{suffix}", queue=f"citest-insights-{suffix}")
    consumer = await make_consumer(config)
    handled = count_written(consumer)
    publisher = await aio_pika.connect(RABBITMQ)
    channel = await publisher.channel()
    exchange = await channel.declare_exchange(config.exchange, aio_pika.ExchangeType.FANOUT)
    queue = await channel.declare_queue(config.queue, durable=True)
    await queue.bind(exchange, "")
    running = asyncio.create_task(consumer.run())
    try:
        for number in range(30):
            await exchange.publish(aio_pika.Message(event("ci-owner", number)), "")
        assert await wait_until(lambda: len(set(handled)) == 30, 20), len(set(handled))
        assert calls["n"] >= 2
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await channel.queue_delete(config.queue)
        await channel.exchange_delete(config.exchange)
        await publisher.close()
        await consumer.db.close()
