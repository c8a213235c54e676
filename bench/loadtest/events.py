"""Did the conversation events reach RabbitMQ? Counted end to end: the owner turns Rasa
stored for the run's conversations against the turns the insights consumer (in the web app)
took from RabbitMQ into the analytics tables of the run's database."""

from __future__ import annotations

import time
from collections.abc import Mapping

from sqlalchemy import create_engine, text

from bench.loadtest.profiles import INSIGHTS_QUEUE, admin_url

# Nothing new for this long and an empty queue: done. Rasa replicas may still be republishing
# what they kept during a RabbitMQ outage, and the consumer closes a turn only when the
# conversation goes quiet, so a short pause is not the end.
QUIET_SECONDS = 60.0


def _counts(servers: Mapping[str, str], database: str) -> tuple[int, int]:
    engine = create_engine(admin_url(servers, database))
    try:
        with engine.connect() as conn:
            stored = conn.execute(text(
                "SELECT count(*) FROM events WHERE type_name = 'user' "
                "AND sender_id LIKE 'load-%'")).scalar() or 0
            try:
                consumed = conn.execute(text("SELECT count(*) FROM insights_turns")).scalar()
            except Exception:  # the consumer has not created its tables (yet)
                consumed = 0
        return int(stored), int(consumed or 0)
    finally:
        engine.dispose()


def progress(servers: Mapping[str, str], database: str) -> str:
    """Owner turns stored / consumed so far (printed before each fault)."""
    try:
        stored, consumed = _counts(servers, database)
    except Exception as error:  # the database itself may be what just failed
        return f"turns unknown: {type(error).__name__}"
    return f"turns stored {stored}, consumed {consumed}"


def queue_depth(servers: Mapping[str, str], queue: str = INSIGHTS_QUEUE) -> int:
    """Messages waiting in (or taken but not yet acknowledged from) the insights queue."""
    import asyncio

    import aio_pika

    async def depth() -> int:
        connection = await aio_pika.connect(
            f"amqp://{servers['RABBITMQ_USER']}:{servers['RABBITMQ_PASSWORD']}@"
            f"{servers['RABBITMQ_HOST']}:{servers['RABBITMQ_PORT']}/")
        try:
            channel = await connection.channel()
            declared = await channel.declare_queue(queue, durable=True, passive=True)
            return int(declared.declaration_result.message_count or 0)
        finally:
            await connection.close()

    return asyncio.run(depth())


def published_events(servers: Mapping[str, str], database: str,
                     settle_seconds: float = 300.0) -> dict[str, int]:
    """Owner turns stored and consumed, once the consumer has drained the queue (the
    consumer may lag behind under load; what is still queued is late, not lost)."""
    deadline, last, unchanged_since = time.monotonic() + settle_seconds, (-1, -1), time.monotonic()
    while True:
        stored, consumed = _counts(servers, database)
        if (stored, consumed) != last:
            last, unchanged_since = (stored, consumed), time.monotonic()
        drained = consumed >= stored or (
            time.monotonic() - unchanged_since > QUIET_SECONDS and queue_depth(servers) == 0)
        if drained or time.monotonic() > deadline:
            return {"stored_turns": stored, "consumed_turns": consumed,
                    "not_published": max(stored - consumed, 0)}
        time.sleep(5)
