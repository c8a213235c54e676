"""The production side of the insights against the real RabbitMQ and PostgreSQL: the consumer
on a queue (acknowledged after writing, redelivered after a failure, nothing counted twice),
Rasa's pika broker from endpoints.prod.yml publishing to our queue, the analytics schema and
the summary on PostgreSQL. Skipped only outside CI when a server is missing."""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import replace

import pytest

from bot.insights import consumer as consumer_module
from bot.insights.db import PostgresDatabase
from bot.insights.summary import Period, summary
from tests.conftest import ROOT, require_service
from tests.insights.helpers import make_config, make_consumer, recorded_events, turns

pytestmark = pytest.mark.services
AMQP = "amqp://guest:guest@127.0.0.1:5672/"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


async def sqlite_reference(tmp_path) -> list[dict]:
    consumer = await make_consumer(make_config(tmp_path / "reference", source="rabbitmq"))
    for event in recorded_events():
        await consumer.handle_message(json.dumps(event).encode())
    result = await turns(consumer.db)
    await consumer.db.close()
    return result


async def wait_for(predicate, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.1)


async def test_rabbitmq_consumer_acks_after_writing_and_counts_redeliveries_once(
        tmp_path, monkeypatch):
    require_service("RabbitMQ", "127.0.0.1", 5672)
    import aio_pika

    expected = await sqlite_reference(tmp_path)
    suffix = secrets.token_hex(4)
    config = make_config(tmp_path / "broker", source="rabbitmq", amqp_url=AMQP,
                         exchange=f"insights-test-{suffix}", queue=f"insights-test-{suffix}")
    first = await make_consumer(config)
    real = first.handle_messages
    written = {"n": 0, "failed": False}

    async def database_goes_down(bodies: list[bytes]) -> None:
        if written["n"] + len(bodies) > 40:  # the batch with the 41st message fails whole
            written["failed"] = True
            raise RuntimeError("database unavailable")  # never acknowledged
        await real(bodies)
        written["n"] += len(bodies)

    monkeypatch.setattr(first, "handle_messages", database_goes_down)
    task = asyncio.create_task(first.consume_rabbitmq())
    connection = await aio_pika.connect_robust(AMQP)
    second_task = None
    try:
        await wait_for(lambda: _queue_exists(connection, config.queue))
        channel = await connection.channel()
        exchange = await channel.declare_exchange(config.exchange, aio_pika.ExchangeType.FANOUT)
        events = recorded_events()
        for event in [*events, *events[:15]]:  # the first events published twice
            await exchange.publish(aio_pika.Message(
                json.dumps(event).encode(), delivery_mode=aio_pika.DeliveryMode.PERSISTENT), "")

        async def stuck() -> bool:
            return bool(written["failed"])

        await wait_for(stuck)
        await asyncio.sleep(0.5)
        task.cancel()  # the process stops: the unacknowledged messages go back to the queue
        await asyncio.gather(task, return_exceptions=True)
        assert len(await turns(first.db)) < len(expected)
        second = await make_consumer(config, db=first.db)
        second_task = asyncio.create_task(second.consume_rabbitmq())

        async def all_written() -> bool:
            queue = await channel.declare_queue(config.queue, durable=True, passive=True)
            return len(await turns(first.db)) == len(expected) and \
                queue.declaration_result.message_count == 0

        await wait_for(all_written)
        await asyncio.sleep(0.3)
        assert await turns(first.db) == expected
    finally:
        for running in (task, second_task):
            if running is not None:
                running.cancel()
                await asyncio.gather(running, return_exceptions=True)
        channel = await connection.channel()
        await channel.queue_delete(config.queue)
        await channel.exchange_delete(config.exchange)
        await connection.close()
        await first.db.close()


async def _queue_exists(connection, name: str) -> bool:
    try:
        probe = await connection.channel()
        await probe.declare_queue(name, durable=True, passive=True)
        await probe.close()
        return True
    except Exception:
        return False


async def test_rasa_pika_broker_of_the_production_profile_feeds_our_queue(monkeypatch):
    require_service("RabbitMQ", "127.0.0.1", 5672)
    import aio_pika
    from rasa.core.brokers.broker import EventBroker
    from rasa.core.utils import AvailableEndpoints

    for key, value in {"ACTION_SERVER_URL": "http://127.0.0.1:1/webhook",
                       "RABBITMQ_HOST": "127.0.0.1", "RABBITMQ_PORT": "5672",
                       "RABBITMQ_USER": "guest", "RABBITMQ_PASSWORD": "guest",
                       "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432",
                       "POSTGRES_DB": "x", "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": "",
                       "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379"}.items():
        monkeypatch.setenv(key, value)
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.prod.yml"))
    assert consumer_module.InsightsConfig().queue in endpoints.event_broker.kwargs["queues"]
    broker = await EventBroker.create(endpoints.event_broker)
    connection = await aio_pika.connect_robust(AMQP)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(consumer_module.InsightsConfig().queue,
                                            durable=True)
        await queue.purge()  # like the profile test: this machine's broker, no live consumer
        marker = "ci-" + secrets.token_hex(6)
        broker.publish({"event": "user", "sender_id": marker, "text": "hallo"})
        found = False
        for _ in range(50):
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                await asyncio.sleep(0.1)
                continue
            await message.ack()
            if marker.encode() in message.body:
                found = True
                break
        assert found
    finally:
        await broker.close()
        await connection.close()


async def test_postgres_analytics_schema_and_summary(tmp_path):
    require_service("PostgreSQL", "127.0.0.1", 5432)
    expected = await sqlite_reference(tmp_path)
    schema = "insights_test_" + secrets.token_hex(4)
    db = PostgresDatabase(POSTGRES, schema=schema)
    config = replace(make_config(tmp_path / "pg"), source="rabbitmq")
    consumer = await make_consumer(config, db=db)
    try:
        events = recorded_events()
        for event in [*events, *events[:10]]:
            await consumer.handle_message(json.dumps(event).encode())
        rows = await turns(db)
        assert [{**r, "at": round(r["at"], 3)} for r in rows] == \
            [{**r, "at": round(r["at"], 3)} for r in expected]
        assert await consumer.hold_lease()
        async with db.transaction() as tx:
            result = await summary(tx, Period(*(_day(rows[0]["day"]),) * 2), None,
                                   {"41002": "Aalst", "44021": "Gent"}.get, 1)
        by_nis = {m["nis"]: m for m in result["municipalities"]}
        assert by_nis["41002"]["conversations"] == 2
        assert by_nis["41002"]["handoffs"] == 1
        assert by_nis["44021"]["topics"] == {"terrasvergunning": 1}
    finally:
        async with db.transaction() as tx:
            await tx.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await db.close()


def _day(text: str):
    from datetime import date

    return date.fromisoformat(text)
