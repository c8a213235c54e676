"""Rasa's RabbitMQ event broker, keeping every event it could not publish until RabbitMQ takes
it. Configured in endpoints.prod.yml as `type: connectors.pika_broker.ReliablePikaEventBroker`.

Why: Rasa's `PikaEventBroker` keeps a failed event in memory and publishes it once more from
the reconnect callback. Events that fail again there (the channel is restored after the
connection, and under load hundreds are in flight) stay in memory for good: in a 30 s RabbitMQ
outage under load 561 of 1,351 owner turns never reached the insights. Here one drain task
republishes the kept events, oldest first, with back-off, until none is left; while there are
kept events, new ones queue behind them so a conversation's events keep their order. A publish
that timed out may have reached RabbitMQ, so an event can arrive twice: the insights consumer
skips what it has seen.

In the production profile every event is first written to Redis (connectors/event_spool.py,
one RPUSH for the events of a loop turn) and published from there by whichever replica holds
the drain lease, so a replica that is killed loses nothing: fault runs lost 116, then 96-117
turns that a killed replica held in memory (kept, or waiting for a confirm). Without Redis
(local profile) or while it is unreachable, events are published directly and kept in process
memory when RabbitMQ does not take them. The memory backlog is bounded (`max_unpublished`); what is
dropped, or still in memory at shutdown, is logged with its count, so nothing disappears
unaccounted for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, deque
from typing import Any

from rasa.core.brokers.pika import PikaEventBroker
from redis.exceptions import RedisError

from bot.shared_state import OutageLog, SharedStateSettings
from connectors.event_spool import EventSpool, Kept, decode
from connectors.settings import rasa_settings

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 0.2
LAST_RETRY_SECONDS = 5.0
SHUTDOWN_DRAIN_SECONDS = 5.0
CLOSE_SECONDS = 3.0
FLUSH_WAIT_SECONDS = 1.0
STALLED_AFTER = 20  # publishes in a row without a confirm on an open connection
DRAIN_BATCH = 200
WARN_EVERY_SECONDS = 30.0
WATCH_SECONDS = 5.0  # how often a replica looks for events another one left in the spool


class FailureLog:
    """Why publishes fail, counted and logged at most every WARN_EVERY_SECONDS (a time-out
    under load and a connection that is gone call for different remedies)."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._last = -WARN_EVERY_SECONDS

    def note(self, reason: str) -> None:
        self._counts[reason] += 1
        now = time.monotonic()
        if now - self._last >= WARN_EVERY_SECONDS:
            self._last = now
            logger.warning("Publishing to RabbitMQ failed: %s.", ", ".join(
                f"{count} x {why}" for why, count in self._counts.most_common()))
            self._counts.clear()


class ReliablePikaEventBroker(PikaEventBroker):
    def __init__(self, *args: Any, max_unpublished: int = 200_000,
                 publish_timeout: float = 10.0,
                 shared_state: SharedStateSettings | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: deque[Kept] = deque()
        self._max_unpublished = max(1, int(max_unpublished))
        self._publish_timeout = float(publish_timeout)
        self._unconfirmed_in_row = 0  # publishes on an open connection that were not confirmed
        self._drain_task: asyncio.Task[None] | None = None
        self._watch_task: asyncio.Task[None] | None = None
        shared = shared_state if shared_state is not None else rasa_settings().shared_state
        self._spool = EventSpool.from_settings(shared)
        self._spooling = False  # the shared spool held events when last looked at
        self._pending: list[Kept] = []  # published, not yet in the spool
        self._flush_task: asyncio.Task[None] | None = None
        self._spool_outage = OutageLog("the event broker's backlog")
        self._failure_log = FailureLog()
        self.republished = 0  # events RabbitMQ took from the backlog or the spool
        self.dropped = 0  # kept events given up because the memory backlog was full

    @property
    def unpublished(self) -> int:
        """Events this process holds in memory (the shared spool is counted by Redis)."""
        return len(self._kept)

    async def connect(self) -> None:
        await super().connect()
        if self._spool is not None and self._watch_task is None:
            self._watch_task = self._loop.create_task(self._watch_spool())

    def publish(self, event: dict[str, Any],
                headers: dict[str, str] | None = None) -> None:
        if self._spool is not None and not self._spool_outage.skipping:
            self._pending.append((event, headers))  # written ahead to Redis, then published
            if self._flush_task is None or self._flush_task.done():
                self._flush_task = self._loop.create_task(self._flush())
            return
        if self._kept or self._spooling:  # behind the backlog: a conversation keeps its order
            self._keep(event, headers)
            return
        super().publish(event, headers)

    async def _flush(self) -> None:
        """The events of this loop turn (a turn's events come together) in one RPUSH: from
        then on a replica that dies loses none of them."""
        assert self._spool is not None
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._spool.push(batch)
            except RedisError as error:  # Redis away: this process keeps them meanwhile
                self._spool_outage.failed(error)
                for event, headers in batch:
                    self._keep(event, headers)
                continue
            self._spooling = True
            self._start_drain()

    async def written_ahead(self) -> None:
        """Returns once the events published so far are in the spool (or kept here because
        Redis is away); waits at most FLUSH_WAIT_SECONDS, so a slow Redis delays no reply
        for longer."""
        task = self._flush_task
        if task is None or task.done():
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(task), FLUSH_WAIT_SECONDS)

    async def _publish(self, event: dict[str, Any],
                       headers: dict[str, str] | None = None) -> None:
        if not await self._publish_once(event, headers):
            self._keep(event, headers)

    async def _publish_once(self, event: dict[str, Any],
                            headers: dict[str, str] | None) -> bool:
        if self._exchange is None or not self.is_ready():
            self._failure_log.note("no open connection")
            return False
        try:
            await asyncio.wait_for(self._exchange.publish(self._message(event, headers), ""),
                                   self._publish_timeout)
        except Exception as error:  # any broken connection or channel: keep the event
            self._failure_log.note(type(error).__name__)
            if isinstance(error, asyncio.TimeoutError):
                self._unconfirmed_in_row += 1
            return False
        self._unconfirmed_in_row = 0
        return True

    async def _replace_stalled_connection(self) -> None:
        """A connection that is open but confirms nothing is replaced by a new one. Seen in
        the fault runs: under load both replicas' connections stopped confirming for good (every
        publish timed out for minutes) while a reconnect after RabbitMQ's outage worked at
        once; the aio-pika connection never noticed, as its heartbeats still went."""
        if self._unconfirmed_in_row < STALLED_AFTER or not self.is_ready():
            return
        logger.warning("RabbitMQ confirmed none of the last %d events on an open connection; "
                       "opening a new one.", self._unconfirmed_in_row)
        self._unconfirmed_in_row = 0
        stalled = self._connection
        try:
            await super().connect()  # a new connection, channel and exchange
        except Exception as error:  # RabbitMQ away: the robust connection stays
            logger.warning("A new RabbitMQ connection failed (%s).", type(error).__name__)
            return
        if stalled is not None and stalled is not self._connection:
            self._loop.create_task(self._close_quietly(stalled))

    @staticmethod
    async def _close_quietly(connection: Any) -> None:
        try:
            await asyncio.wait_for(connection.close(), CLOSE_SECONDS)
        except Exception:  # noqa: S110 - it was stalled; what it held is kept and re-sent
            pass

    def _keep(self, event: dict[str, Any], headers: dict[str, str] | None) -> None:
        if not self._kept and not self._spooling:
            logger.warning("RabbitMQ does not take events; keeping them until it does.")
        if len(self._kept) >= self._max_unpublished:
            self._kept.popleft()
            self.dropped += 1
            if self.dropped % 1000 == 1:
                logger.error("The backlog of unpublished events is full (%d): %d oldest "
                             "events dropped so far.", self._max_unpublished, self.dropped)
        self._kept.append((event, headers))
        self._start_drain()

    def _start_drain(self) -> None:
        if self._drain_task is None or self._drain_task.done():
            self._drain_task = self._loop.create_task(self._drain())

    async def _drain(self) -> None:
        delay, taken, waited = FIRST_RETRY_SECONDS, 0, False
        while self._kept or self._spooling:
            published, complete = await self._drain_step()
            taken += published
            self.republished += published
            if complete:
                delay = FIRST_RETRY_SECONDS
            else:
                waited = True
                await self._replace_stalled_connection()
                await asyncio.sleep(delay)
                delay = min(delay * 2, LAST_RETRY_SECONDS)
        if taken and waited:
            logger.warning("RabbitMQ took the %d events kept while it was away.", taken)

    async def _drain_step(self) -> tuple[int, bool]:
        """(events published, whether all that was tried went)."""
        if self._spool is not None and not self._spool_outage.skipping:
            try:
                return await self._drain_spool(self._spool)
            except RedisError as error:  # Redis away too: this process keeps them meanwhile
                self._spool_outage.failed(error)
                self._spooling = False
        if not self._kept:
            return 0, True
        return await self._drain_memory()

    async def _drain_spool(self, spool: EventSpool) -> tuple[int, bool]:
        """Move this process's kept events to the spool, then, holding the lease, publish the
        spool's oldest events and remove what RabbitMQ took."""
        if self._kept:
            moving = [self._kept[index] for index in range(min(DRAIN_BATCH, len(self._kept)))]
            await spool.push(moving)
            self._spooling = True
            for moved in moving:  # a full backlog may have dropped the oldest meanwhile
                if self._kept and self._kept[0] is moved:
                    self._kept.popleft()
        if not await spool.lease():  # another replica drains the spool now
            self._spooling = await spool.length() > 0
            return 0, not self._spooling
        raw = await spool.oldest(DRAIN_BATCH)
        if not raw:
            self._spooling = bool(self._kept)
            await spool.release()
            return 0, True
        items = [decode(entry) for entry in raw]
        published = await asyncio.gather(*(self._publish_once(*item) for item in items
                                           if item is not None))
        outcome = iter(published)
        done = 0  # the published prefix (an entry that is not an event is removed as well)
        for item in items:
            if item is not None and not next(outcome):
                break
            done += 1
        if done and not await spool.drop_oldest(done):
            return 0, False  # the lease ran out: its new holder publishes them (again)
        return done, done == len(raw)

    async def _drain_memory(self) -> tuple[int, bool]:
        """Oldest first, in batches published together (frames go out in call order, the
        confirms are awaited together: one at a time took 2.5 minutes for the 12,615 events
        of a 30 s outage under load while new ones kept arriving)."""
        batch = [self._kept[index] for index in range(min(DRAIN_BATCH, len(self._kept)))]
        published = await asyncio.gather(*(self._publish_once(event, headers)
                                           for event, headers in batch))
        done = next((index for index, ok in enumerate(published) if not ok), len(batch))
        for sent in batch[:done]:  # the published prefix; a later one that went is sent
            if self._kept and self._kept[0] is sent:  # again (a full backlog drops the
                self._kept.popleft()  # oldest meanwhile: then it is gone already)
        return done, done == len(batch)

    async def _watch_spool(self) -> None:
        """Events a killed (or stopped) replica left in the spool are drained by a live one."""
        assert self._spool is not None
        while True:
            if self._drain_task is None or self._drain_task.done():
                try:
                    if await self._spool.length():
                        self._spooling = True
                        self._start_drain()
                except RedisError as error:
                    self._spool_outage.failed(error)
            await asyncio.sleep(WATCH_SECONDS)

    def _publish_unpublished_messages(self, *_: Any, **__: Any) -> None:
        # Rasa's reconnect callback: the drain task may be sleeping in its back-off
        if self._kept or self._spooling:
            self._start_drain()

    async def close(self) -> None:
        if self._watch_task is not None:
            self._watch_task.cancel()
        if self._flush_task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._flush_task), SHUTDOWN_DRAIN_SECONDS)
        for event, headers in self._pending:  # never flushed: handed over below
            self._kept.append((event, headers))
        self._pending = []
        if self._kept and self._drain_task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._drain_task), SHUTDOWN_DRAIN_SECONDS)
            except Exception:  # noqa: S110 - still down: what is left is handed on below
                pass
        if self._drain_task is not None:
            self._drain_task.cancel()
        await self._hand_over_to_spool()
        if self._kept:
            logger.error("Shutting down with %d events RabbitMQ never took; they are lost.",
                         len(self._kept))
        try:  # Rasa's close waits for a RabbitMQ that is away (a stopping replica hung)
            await asyncio.wait_for(super().close(), CLOSE_SECONDS)
        except Exception as error:  # nothing is left to send: what was kept is handed over
            logger.warning("RabbitMQ did not close the connection (%s); leaving it.",
                           type(error).__name__)

    async def _hand_over_to_spool(self) -> None:
        """At shutdown, what is still in memory goes to the spool for the other replicas."""
        if self._spool is None:
            return
        try:
            if self._kept:
                left = list(self._kept)
                await self._spool.push(left)
                self._kept.clear()
                logger.warning("Left %d events RabbitMQ did not take yet to the other "
                               "replicas (Redis).", len(left))
            await self._spool.release()
        except RedisError as error:
            self._spool_outage.failed(error)
        finally:
            await self._spool.close()
