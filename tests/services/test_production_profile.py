"""The production profile (endpoints.prod.yml) against the real PostgreSQL, Redis and RabbitMQ.

Skipped only outside CI when a server is missing; in CI a missing server fails the run."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from tests.conftest import ROOT, require_service

PROD_ENV = {
    "ACTION_SERVER_URL": "http://127.0.0.1:5055/webhook",
    "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432", "POSTGRES_DB": "ondernemersloket_ci",
    "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": "",
    "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379",
    "RABBITMQ_HOST": "127.0.0.1", "RABBITMQ_PORT": "5672",
    "RABBITMQ_USER": "guest", "RABBITMQ_PASSWORD": "guest",
}


@pytest.fixture()
def endpoints(monkeypatch):
    from rasa.core.utils import AvailableEndpoints

    for key, value in PROD_ENV.items():
        monkeypatch.setenv(key, value)
    return AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.prod.yml"))


@pytest.fixture(scope="module")
def domain():
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain"))


async def test_postgres_tracker_store_keeps_a_conversation(endpoints, domain):
    require_service("PostgreSQL", "127.0.0.1", 5432)
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = TrackerStore.create(endpoints.tracker_store, domain)
    assert type(store).__name__ == "PrivateSQLTrackerStore"  # our SQL store with masking
    sender = "ci-" + secrets.token_hex(6)
    tracker = DialogueStateTracker(sender, domain.slots)
    tracker.update(UserUttered("terras in Gent", {"name": "ask_terrasvergunning"}))
    tracker.update(SlotSet("municipality", "Gent"))
    await store.save(tracker)
    restored = await store.retrieve(sender)
    assert restored is not None
    assert restored.get_slot("municipality") == "Gent"
    assert restored.latest_message.text == "terras in Gent"
    tracker.update(UserUttered("mail naar an@voorbeeld.be", {"name": "inform"}))
    await store.save(tracker)
    restored = await store.retrieve(sender)
    assert restored is not None and restored.latest_message.text == "mail naar [email]"


async def test_redis_lock_store_serialises_a_conversation(endpoints):
    require_service("Redis", "127.0.0.1", 6379)
    from rasa.core.lock_store import LockStore

    store = LockStore.create(endpoints.lock_store)
    assert type(store).__name__ == "ReconnectingRedisLockStore"  # Rasa's, reconnecting
    sender = "ci-" + secrets.token_hex(6)
    order: list[str] = []

    async def second_message() -> None:
        async with store.lock(sender, wait_time_in_seconds=0.05):
            order.append("second")

    async with store.lock(sender):
        waiting = asyncio.create_task(second_message())
        await asyncio.sleep(0.3)
        order.append("first")
    await asyncio.wait_for(waiting, timeout=5)
    assert order == ["first", "second"]


async def test_rabbitmq_event_broker_publishes_events(endpoints):
    require_service("RabbitMQ", "127.0.0.1", 5672)
    import aio_pika
    from rasa.core.brokers.broker import EventBroker

    queue_name = endpoints.event_broker.kwargs["queues"][0]
    connection = await aio_pika.connect_robust("amqp://guest:guest@127.0.0.1:5672/")
    channel = await connection.channel()
    queue = await channel.declare_queue(queue_name, durable=True)
    await queue.purge()
    broker = await EventBroker.create(endpoints.event_broker)
    assert broker is not None and type(broker).__name__ == "ReliablePikaEventBroker"
    marker = "ci-" + secrets.token_hex(6)
    broker.publish({"event": "user", "sender_id": marker, "text": "hallo"})
    body = None
    for _ in range(50):
        message = await queue.get(no_ack=True, fail=False)
        if message is not None:
            body = message.body
            break
        await asyncio.sleep(0.1)
    await broker.close()
    await connection.close()
    assert body is not None and marker.encode() in body


async def test_turns_go_on_after_postgres_ended_every_connection(endpoints, domain):
    """An operator's pg_terminate_backend (or a restart) leaves dead connections in the pool;
    the next turn replaces them instead of failing (the owner would get no reply)."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    import sqlalchemy as sa
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = TrackerStore.create(endpoints.tracker_store, domain)
    sender = "ci-" + secrets.token_hex(6)
    tracker = DialogueStateTracker(sender, domain.slots)
    tracker.update(UserUttered("terras in Gent", {"name": "ask_terrasvergunning"}))
    await store.save(tracker)  # the pool now holds a connection
    admin = sa.create_engine("postgresql://postgres@127.0.0.1:5432/postgres",
                             poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        ended = connection.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = :db AND pid <> pg_backend_pid()"),
            {"db": PROD_ENV["POSTGRES_DB"]}).scalar()
    admin.dispose()
    assert ended and ended >= 1
    restored = await store.retrieve(sender)  # would raise OperationalError without the ping
    assert restored is not None and restored.latest_message.text == "terras in Gent"


async def test_a_turn_is_stored_once_when_postgres_cuts_the_connection_it_uses(endpoints,
                                                                                domain):
    """pg_terminate_backend while a turn is being written (not while the connection is idle
    in the pool, which the ping covers): the turn is written on a new connection, once."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    import sqlalchemy as sa
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = TrackerStore.create(endpoints.tracker_store, domain)
    sender = "ci-" + secrets.token_hex(6)
    tracker = DialogueStateTracker(sender, domain.slots)
    tracker.update(UserUttered("terras in Gent", {"name": "ask_terrasvergunning"}))
    await store.save(tracker)
    admin = sa.create_engine("postgresql://postgres@127.0.0.1:5432/postgres",
                             poolclass=sa.pool.NullPool)
    cut: list[int] = []

    def cut_before_the_insert(conn, cursor, statement, *_args):
        if not cut and statement.lstrip().upper().startswith("INSERT"):
            cut.append(cursor.connection.get_backend_pid())
            with admin.connect() as connection:  # waits until the backend is gone
                connection.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"),
                                   {"pid": cut[0]})

    sa.event.listen(store.engine, "before_cursor_execute", cut_before_the_insert)
    try:
        tracker.update(BotUttered("Voor een terras heb je een vergunning nodig."))
        tracker.update(UserUttered("en wat kost dat?", {"name": "ask_cost"}))
        await store.save(tracker)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", cut_before_the_insert)
        admin.dispose()
    assert cut, "the fault was not injected"
    restored = await store.retrieve(sender)
    assert restored is not None
    texts = [e.text for e in restored.events if isinstance(e, UserUttered)]
    assert texts == ["terras in Gent", "en wat kost dat?"]
