"""Publish/subscribe for the officer console's live updates (server-sent events).

Each subscriber sees only events of the counters it serves. `EventBroker` keeps it in this
process (local profile: one web app); `RedisEventBroker` sends every event through a Redis
pub/sub channel (production profile), so an officer connected to one web app replica hears
about a hand-off request created or taken on another. Events are hints to refresh (the console
also refreshes on its own timer), so when Redis is down they are delivered in this process only
and a warning is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from redis.exceptions import RedisError

from bot.shared_state import OutageLog, SharedStateSettings, connect

logger = logging.getLogger(__name__)

MAX_PENDING = 100
MAX_OUTGOING = 1000
RETRY_SECONDS = 1.0
UNREACHABLE = (RedisError, OSError, asyncio.TimeoutError)


@dataclass(eq=False)
class Subscription:
    counters: frozenset[str]
    queue: asyncio.Queue[dict[str, Any] | None] = field(
        default_factory=lambda: asyncio.Queue(MAX_PENDING))

    async def next(self, timeout: float) -> dict[str, Any] | None:
        """The next event, {} on timeout (time for a heartbeat), None when the broker closes."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except asyncio.TimeoutError:
            return {}


class EventBroker:
    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()

    def subscribe(self, counters: Iterable[str]) -> Subscription:
        subscription = Subscription(frozenset(counters))
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    def watched_counters(self) -> frozenset[str]:
        return frozenset().union(*(s.counters for s in self._subscriptions))

    def publish(self, counter: str, event: dict[str, Any]) -> None:
        """Tell every subscriber of `counter`, in every process sharing this broker."""
        self.publish_local(counter, event)

    def publish_local(self, counter: str, event: dict[str, Any]) -> None:
        """Tell the subscribers of `counter` in this process only (what each replica's
        transcript watcher finds for its own officers)."""
        for subscription in list(self._subscriptions):
            if counter in subscription.counters:
                try:
                    subscription.queue.put_nowait(event)
                except asyncio.QueueFull:
                    pass  # a stalled client; it refreshes on its next event or heartbeat

    async def start(self) -> None:
        """Begin relaying events between processes (nothing to do in memory)."""

    async def stop(self) -> None:
        """Stop relaying and release connections (after `close`)."""

    def close(self) -> None:
        """End every subscriber's stream (shutdown)."""
        for subscription in list(self._subscriptions):
            try:
                subscription.queue.put_nowait(None)
            except asyncio.QueueFull:
                subscription.queue.get_nowait()
                subscription.queue.put_nowait(None)
        self._subscriptions.clear()


class RedisEventBroker(EventBroker):
    """Events through the Redis channel `<prefix>:state:handoff_events`, as JSON
    `{"counter": ..., "event": {...}}`. One task sends (in the order published), one listens
    and hands each event to this process's subscribers."""

    def __init__(self, settings: SharedStateSettings) -> None:
        super().__init__()
        if settings.redis_url is None:
            raise ValueError("RedisEventBroker needs a Redis URL")
        self._url = settings.redis_url
        self._channel = settings.key("handoff_events")
        self._outage = OutageLog("hand-off live events")
        self._outgoing: asyncio.Queue[tuple[str, dict[str, Any]]] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = asyncio.Event()

    async def start(self) -> None:
        self._client = connect(self._url)
        self._outgoing = asyncio.Queue(MAX_OUTGOING)
        self._tasks = [asyncio.create_task(self._send()), asyncio.create_task(self._listen())]
        with contextlib.suppress(asyncio.TimeoutError):  # Redis down: start anyway
            await asyncio.wait_for(self._subscribed.wait(), timeout=2)

    def publish(self, counter: str, event: dict[str, Any]) -> None:
        if self._outgoing is None:
            self.publish_local(counter, event)
            return
        try:
            self._outgoing.put_nowait((counter, event))
        except asyncio.QueueFull:
            self.publish_local(counter, event)

    async def _send(self) -> None:
        assert self._outgoing is not None
        while True:
            counter, event = await self._outgoing.get()
            message = json.dumps({"counter": counter, "event": event}, separators=(",", ":"))
            try:
                await self._client.publish(self._channel, message)
            except UNREACHABLE as error:
                self._outage.failed(error)
                self.publish_local(counter, event)

    async def _listen(self) -> None:
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                self._subscribed.set()
                while True:
                    message = await pubsub.get_message(timeout=30.0)
                    if message is not None:
                        self._deliver(message.get("data"))
            except UNREACHABLE as error:
                self._subscribed.clear()
                self._outage.failed(error)
                await asyncio.sleep(RETRY_SECONDS)
            finally:
                with contextlib.suppress(*UNREACHABLE):
                    await pubsub.reset()

    def _deliver(self, data: Any) -> None:
        try:
            message = json.loads(data)
            counter, event = message["counter"], message["event"]
        except (TypeError, ValueError, KeyError):
            logger.warning("hand-off live events: unreadable message ignored")
            return
        if isinstance(counter, str) and isinstance(event, dict):
            self.publish_local(counter, event)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._outgoing = None
        if hasattr(self, "_client"):
            await self._client.close()


def event_broker(settings: SharedStateSettings) -> EventBroker:
    """In Redis when the settings name one (several web app replicas), else in memory."""
    if settings.redis_url is None:
        return EventBroker()
    return RedisEventBroker(settings)
