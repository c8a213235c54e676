"""The analytics consumer: reads Rasa's event stream and writes the analytics schema.

Local profile: polls the `events` table of Rasa's SQL event broker (var/events.sqlite3) by id.
Production: consumes the RabbitMQ queue the pika broker publishes to (aio-pika), acknowledging a
message only after its transaction committed. Both read the web app's feedback votes by rowid.
Each event is written in one transaction with its key and the reader's position: nothing is
counted twice (redelivery, restart) and nothing is lost (a failed write is retried).

It runs as a background task of the web app (`bot.insights.web`), so no extra process is
needed. Only the holder of a lease in the analytics database consumes, so a second web app (or
a test app) on the same database stays idle instead of splitting conversations."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import sqlite3
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aio_pika

from bot.feedback import FeedbackStore
from bot.insights import store
from bot.insights.config import InsightsConfig
from bot.insights.db import Database, Tx
from bot.insights.events import Hasher, event_key, slim_event
from bot.insights.turns import ConversationState, apply_event, close_stale, local_day

logger = logging.getLogger(__name__)

EVENTS_SOURCE = "sql_events"
FEEDBACK_SOURCE = "feedback"
BATCH = 500
RABBIT_BATCH = 200  # RabbitMQ messages unacknowledged at once, and written per transaction
RABBIT_CONNECT_TIMEOUT = 10.0
RABBIT_IDLE_CHECK_SECONDS = 15.0  # nothing arrived this long: is the queue empty, or are we stuck?
STALE_TURN_SECONDS = 5.0
LEASE_SECONDS = 15.0
SEEN_RETENTION_SECONDS = 30 * 86400
PURGE_EVERY_SECONDS = 3600.0


def read_rows(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows of a SQLite file another process writes; none while the file or table is missing."""
    if not path.is_file():
        return []
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return []
    try:
        return list(connection.execute(sql, params).fetchall())
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return []
        raise
    finally:
        connection.close()


def marker_kept(path: Path, position: int) -> bool:
    """Whether the row at our position is still the emptied one `forget_rows` left."""
    return read_rows(path, "SELECT data FROM events WHERE id = ?", position) == [("{}",)]


def forget_rows(path: Path, upto: int) -> None:
    """The SQL broker's table is our queue: delete what was consumed, so the personal data in
    Rasa's events (form answers) does not stay there. The last row is kept, emptied, so
    SQLite never hands out its id again (ids only grow; our position stays valid)."""
    connection = sqlite3.connect(path, timeout=5)
    try:
        with connection:
            connection.execute("DELETE FROM events WHERE id < ?", (upto,))
            connection.execute("UPDATE events SET sender_id = NULL, data = '{}' WHERE id = ?",
                               (upto,))
    finally:
        connection.close()


def _day_of(stamp: Any, zone: str) -> str:
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        moment = datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return local_day(moment.timestamp(), zone)


def _epoch(stamp: Any) -> int:
    """Whole seconds of a vote's ISO time (the feedback position)."""
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())


class Consumer:
    def __init__(self, config: InsightsConfig, db: Database, *,
                 nis_of_name: Mapping[str, str] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.clock = clock
        self.db = db
        self.hasher = Hasher(config.hash_key)
        self.owner = secrets.token_hex(8)
        self._nis_of_name = dict(nis_of_name or {})
        self._last_purge = 0.0
        self._rabbit: asyncio.Task[None] | None = None
        self._rabbit_started, self._rabbit_backoff = 0.0, 0.5
        self._rabbit_retry_at: float | None = None
        self._feedback: FeedbackStore | None = None

    async def setup(self) -> None:
        """Bring the analytics database to the newest migration (role `insights`)."""
        await self.db.migrate()

    # --- one event ---------------------------------------------------------------------------
    async def process(self, tx: Tx, raw: Mapping[str, Any],
                      states: dict[str, ConversationState] | None = None) -> bool:
        """Write one raw Rasa event; False when it was seen before. With `states` (a batch)
        a conversation's state is read once and kept there; the caller saves it
        (`save_states`) before the transaction ends."""
        key = event_key(raw)
        if not await store.first_time(tx, key):
            return False
        slim = slim_event(raw, self.hasher)
        if slim is None:
            return True
        conversation = slim["conversation"]
        state = states.get(conversation) if states is not None else None
        if state is None:
            state = await store.load_state(tx, conversation)
        outputs = apply_event(state, key, slim, tenant=self.config.tenant,
                              zone=self.config.timezone)
        await store.write_outputs(tx, outputs)
        if states is None:
            await store.save_state(tx, conversation, state)
        else:
            states[conversation] = state
        return True

    @staticmethod
    async def save_states(tx: Tx, states: Mapping[str, ConversationState]) -> None:
        for conversation, state in states.items():
            await store.save_state(tx, conversation, state)

    async def process_vote(self, tx: Tx, row: tuple[Any, ...]) -> None:
        _rowid, conversation_id, message_id, vote, topic, municipality, _tenant, at = row
        if vote not in ("up", "down"):
            return
        key = self.hasher("vote", str(conversation_id), str(message_id))
        if not await store.first_time(tx, key):
            return
        await store.write_vote(
            tx, vote_key=key, conversation=self.hasher("conversation", str(conversation_id)),
            message=self.hasher("message", str(message_id)), vote=vote,
            topic=topic if isinstance(topic, str) else None,
            nis=self._nis_of_name.get(str(municipality).casefold()) if municipality else None,
            day=_day_of(at, self.config.timezone))

    # --- sources -----------------------------------------------------------------------------
    async def poll_events(self) -> int:
        """One batch of the SQL broker's events table; returns how many rows were read."""
        async with self.db.transaction() as tx:
            after = await store.position(tx, EVENTS_SOURCE)
            if after and not await asyncio.to_thread(marker_kept, self.config.events_db, after):
                # The table was emptied or made anew (ids start over): read it from the start;
                # the seen keys skip anything read before.
                after = 0
            rows = await asyncio.to_thread(
                read_rows, self.config.events_db,
                "SELECT id, data FROM events WHERE id > ? ORDER BY id LIMIT ?", after, BATCH)
            states: dict[str, ConversationState] = {}
            for row_id, data in rows:
                try:
                    event = json.loads(data)
                except (TypeError, ValueError):
                    logger.warning("insights: events row %s is not JSON; skipped", row_id)
                    continue
                if isinstance(event, dict):
                    await self.process(tx, event, states)
            await self.save_states(tx, states)
            if rows:
                await store.set_position(tx, EVENTS_SOURCE, int(rows[-1][0]))
        if rows:
            try:
                await asyncio.to_thread(forget_rows, self.config.events_db, int(rows[-1][0]))
            except sqlite3.Error as error:  # busy: the next batch deletes them
                logger.warning("insights: consumed events not deleted yet: %s", error)
        return len(rows)

    async def poll_feedback(self) -> int:
        """New votes from the web app's feedback store (SQLite file or PostgreSQL), read by the
        time they were cast: the position is the second of the last vote read, and the votes
        of that second are read again next time (their seen keys skip them)."""
        if self.config.feedback_db is None:
            return 0
        if self._feedback is None:
            self._feedback = FeedbackStore(self.config.feedback_db)
        feedback = self._feedback
        async with self.db.transaction() as tx:
            after = await store.position(tx, FEEDBACK_SOURCE)
            rows = await asyncio.to_thread(feedback.since, float(after), BATCH)
            for row in rows:
                await self.process_vote(tx, row)
            if rows:
                await store.set_position(tx, FEEDBACK_SOURCE, _epoch(rows[-1][-1]))
        return len(rows)

    async def handle_message(self, body: bytes) -> None:
        """One RabbitMQ message, in one transaction (the caller acknowledges afterwards)."""
        await self.handle_messages([body])

    async def handle_messages(self, bodies: list[bytes]) -> None:
        """RabbitMQ messages in one transaction, in their order (acknowledged afterwards)."""
        events = []
        for body in bodies:
            try:
                event = json.loads(body)
            except ValueError:
                logger.warning("insights: a broker message is not JSON; dropped")
                continue
            if isinstance(event, dict):
                events.append(event)
        if events:
            async with self.db.transaction() as tx:
                states: dict[str, ConversationState] = {}
                for event in events:
                    await self.process(tx, event, states)
                await self.save_states(tx, states)

    async def close_stale_turns(self, now: float | None = None) -> None:
        now = self.clock() if now is None else now
        async with self.db.transaction() as tx:
            for conversation in await store.open_conversations(tx, now - STALE_TURN_SECONDS):
                state = await store.load_state(tx, conversation)
                outputs = close_stale(state, now, STALE_TURN_SECONDS, tenant=self.config.tenant,
                                      zone=self.config.timezone)
                await store.write_outputs(tx, outputs)
                await store.save_state(tx, conversation, state)

    async def purge(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        if now - self._last_purge < PURGE_EVERY_SECONDS:
            return
        self._last_purge = now
        async with self.db.transaction() as tx:
            await store.purge_texts(tx, now - self.config.text_retention_days * 86400)
            await store.purge_seen(tx, now - SEEN_RETENTION_SECONDS)

    async def hold_lease(self, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO insights_lease (name, owner, expires) VALUES ('consumer', ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, "
                "expires = excluded.expires WHERE insights_lease.owner = excluded.owner "
                "OR insights_lease.expires < ?", self.owner, now + LEASE_SECONDS, now)
            row = await tx.fetchone("SELECT owner FROM insights_lease WHERE name = 'consumer'")
        return bool(row and row["owner"] == self.owner)

    async def release_lease(self) -> None:
        async with self.db.transaction() as tx:
            await tx.execute("DELETE FROM insights_lease WHERE name = 'consumer' AND owner = ?",
                             self.owner)

    # --- the loop ----------------------------------------------------------------------------
    def _start_rabbitmq_consumer(self) -> None:
        """(Re)start the queue consumer; after it ended with an error, only after a back-off
        (1 s, doubling to 30 s; back to 1 s once a consumer ran for a minute)."""
        now = time.monotonic()
        ended = self._rabbit
        if ended is not None and not ended.cancelled() and ended.exception() is not None:
            if self._rabbit_retry_at is None:  # this failure is new
                ran = now - self._rabbit_started
                self._rabbit_backoff = 1.0 if ran > 60 else min(self._rabbit_backoff * 2, 30.0)
                logger.warning("insights: RabbitMQ consumer stopped (%s); again in %.0f s",
                               ended.exception(), self._rabbit_backoff)
                self._rabbit_retry_at = now + self._rabbit_backoff
            if now < self._rabbit_retry_at:
                return
        self._rabbit_retry_at = None
        self._rabbit_started = now
        self._rabbit = asyncio.create_task(self.consume_rabbitmq())

    async def tick(self) -> None:
        if self.config.source == "sql":
            while await self.poll_events() == BATCH:
                pass
        elif self._rabbit is None or self._rabbit.done():
            self._start_rabbitmq_consumer()
        await self.poll_feedback()
        await self.close_stale_turns()
        await self.purge()

    async def _set_up_when_reachable(self) -> None:
        """The database may be down when the web app starts (a restart of both): the dashboard
        works without the consumer meanwhile, and the consumer starts once it can migrate."""
        delay = 1.0
        while True:
            try:
                await self.setup()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("insights: database not ready; retrying in %.0f s", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def run(self) -> None:
        await self._set_up_when_reachable()
        try:
            while True:
                try:
                    if await self.hold_lease():
                        await self.tick()
                    elif self._rabbit is not None:
                        self._rabbit.cancel()
                        self._rabbit = None
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.exception("insights: consumer tick failed; retrying")
                await asyncio.sleep(self.config.poll_seconds)
        finally:
            if self._rabbit is not None:
                self._rabbit.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self._rabbit
            with contextlib.suppress(Exception):
                await self.release_lease()

    async def _write_in_order(self, bodies: list[bytes]) -> None:
        """Write a batch of messages in one transaction, retrying until it is written: the
        batch is acknowledged only after that, and the next one is not taken before (a
        conversation's events stay in order). When the process stops meanwhile, RabbitMQ
        redelivers the unacknowledged messages in order and the seen keys skip what was
        written already."""
        delay = 0.5
        while True:
            try:
                await self.handle_messages(bodies)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("insights: writing broker messages failed; retrying")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def consume_rabbitmq(self) -> None:
        """Messages arrive in order on one channel; whatever has arrived is written as one
        batch (one commit instead of one per event: Rasa sends about 15 events per turn) and
        acknowledged together.

        A plain connection, not aio-pika's robust one: in a fault run the robust connection
        came back after RabbitMQ's outage without its consumer, and 31,717 events stayed
        unread in the queue. Here a closed connection or channel ends this task, the next
        tick starts a new one, RabbitMQ redelivers what was not acknowledged and the seen
        keys skip what was written already. A consumer that gets nothing for
        `RABBIT_IDLE_CHECK_SECONDS` while its queue holds messages is stuck: it ends too."""
        connection = await aio_pika.connect(self.config.amqp_url, timeout=RABBIT_CONNECT_TIMEOUT)
        closed = asyncio.Event()
        connection.close_callbacks.add(lambda *_args: closed.set())
        try:
            channel = await connection.channel()
            channel.close_callbacks.add(lambda *_args: closed.set())
            await channel.set_qos(prefetch_count=RABBIT_BATCH)
            exchange = await channel.declare_exchange(self.config.exchange,
                                                      aio_pika.ExchangeType.FANOUT)
            queue = await channel.declare_queue(self.config.queue, durable=True)
            await queue.bind(exchange, "")
            arrived: asyncio.Queue[aio_pika.abc.AbstractIncomingMessage] = asyncio.Queue()
            await queue.consume(arrived.put)
            while True:
                batch = [await self._next_message(arrived, closed, channel)]
                while len(batch) < RABBIT_BATCH and not arrived.empty():
                    batch.append(arrived.get_nowait())
                await self._write_in_order([message.body for message in batch])
                await batch[-1].ack(multiple=True)  # every message of the batch
        finally:
            with contextlib.suppress(Exception):
                await connection.close()

    async def _next_message(self, arrived: asyncio.Queue[aio_pika.abc.AbstractIncomingMessage],
                            closed: asyncio.Event, channel: aio_pika.abc.AbstractChannel
                            ) -> aio_pika.abc.AbstractIncomingMessage:
        while True:
            getting = asyncio.ensure_future(arrived.get())
            closing = asyncio.ensure_future(closed.wait())
            done, _pending = await asyncio.wait({getting, closing},
                                                timeout=RABBIT_IDLE_CHECK_SECONDS,
                                                return_when=asyncio.FIRST_COMPLETED)
            closing.cancel()
            if getting in done:
                return getting.result()
            getting.cancel()
            if closed.is_set():
                raise ConnectionError("insights: the RabbitMQ connection closed")
            waiting = await channel.declare_queue(self.config.queue, durable=True, passive=True)
            if waiting.declaration_result.message_count:
                raise ConnectionError(
                    f"insights: {waiting.declaration_result.message_count} messages wait in "
                    f"the queue and none arrived for {RABBIT_IDLE_CHECK_SECONDS:.0f} s")
