"""Rasa's RabbitMQ event broker, keeping every event it could not publish until RabbitMQ takes
it. Configured in endpoints.prod.yml as `type: connectors.pika_broker.ReliablePikaEventBroker`.

Why: Rasa's `PikaEventBroker` keeps a failed event in memory and publishes it once more from
the reconnect callback. Events that fail again there (the channel is restored after the
connection, and under load hundreds are in flight) stay in memory for good: in a 30 s RabbitMQ
outage under load 561 of 1,351 owner turns never reached the insights. Here one drain task
republishes the kept events, oldest first, with back-off, until the queue is empty; while it
has work, new events queue behind it so a conversation's events keep their order. A publish
that timed out may have reached RabbitMQ, so an event can arrive twice: the insights consumer
skips what it has seen. The backlog is bounded (`max_unpublished`); what is dropped or still
kept at shutdown is logged with its count, so nothing disappears unaccounted for.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

from rasa.core.brokers.pika import PikaEventBroker

logger = logging.getLogger(__name__)

Kept = tuple[dict[str, Any], dict[str, str] | None]

FIRST_RETRY_SECONDS = 0.2
LAST_RETRY_SECONDS = 5.0
SHUTDOWN_DRAIN_SECONDS = 5.0
DRAIN_BATCH = 200


class ReliablePikaEventBroker(PikaEventBroker):
    def __init__(self, *args: Any, max_unpublished: int = 200_000,
                 publish_timeout: float = 5.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: deque[Kept] = deque()
        self._max_unpublished = max(1, int(max_unpublished))
        self._publish_timeout = float(publish_timeout)
        self._drain_task: asyncio.Task[None] | None = None
        self.republished = 0  # kept events RabbitMQ took later
        self.dropped = 0  # kept events given up because the backlog was full

    @property
    def unpublished(self) -> int:
        return len(self._kept)

    def publish(self, event: dict[str, Any],
                headers: dict[str, str] | None = None) -> None:
        if self._kept:  # behind the backlog, so a conversation's events stay in order
            self._keep(event, headers)
            return
        super().publish(event, headers)

    async def _publish(self, event: dict[str, Any],
                       headers: dict[str, str] | None = None) -> None:
        if not await self._publish_once(event, headers):
            self._keep(event, headers)

    async def _publish_once(self, event: dict[str, Any],
                            headers: dict[str, str] | None) -> bool:
        if self._exchange is None or not self.is_ready():
            return False
        try:
            await asyncio.wait_for(self._exchange.publish(self._message(event, headers), ""),
                                   self._publish_timeout)
        except Exception as error:  # any broken connection or channel: keep the event
            logger.debug("Publishing an event failed (%s); it is kept.", type(error).__name__)
            return False
        return True

    def _keep(self, event: dict[str, Any], headers: dict[str, str] | None) -> None:
        if not self._kept:
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
        """Oldest first, in batches published together (frames go out in call order, the
        confirms are awaited together: one at a time took 2.5 minutes for the 12,615 events
        of a 30 s outage under load while new ones kept arriving)."""
        delay, taken = FIRST_RETRY_SECONDS, 0
        while self._kept:
            batch = [self._kept[index] for index in range(min(DRAIN_BATCH, len(self._kept)))]
            published = await asyncio.gather(*(self._publish_once(event, headers)
                                               for event, headers in batch))
            done = next((index for index, ok in enumerate(published) if not ok), len(batch))
            for sent in batch[:done]:  # the published prefix; a later one that went is sent
                if self._kept and self._kept[0] is sent:  # again (a full backlog drops the
                    self._kept.popleft()  # oldest meanwhile: then it is gone already)
            taken += done
            self.republished += done
            if done < len(batch):
                await asyncio.sleep(delay)
                delay = min(delay * 2, LAST_RETRY_SECONDS)
            else:
                delay = FIRST_RETRY_SECONDS
        logger.warning("RabbitMQ took the %d events kept while it was away.", taken)

    def _publish_unpublished_messages(self, *_: Any, **__: Any) -> None:
        # Rasa's reconnect callback: the drain task may be sleeping in its back-off
        self._start_drain()

    async def close(self) -> None:
        if self._kept and self._drain_task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._drain_task), SHUTDOWN_DRAIN_SECONDS)
            except Exception:  # noqa: S110 - still down: what is left is logged below
                pass
        if self._drain_task is not None:
            self._drain_task.cancel()
        if self._kept:
            logger.error("Shutting down with %d events RabbitMQ never took; they are lost.",
                         len(self._kept))
        await super().close()
