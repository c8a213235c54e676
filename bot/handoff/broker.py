"""In-process publish/subscribe for the officer console's live updates (server-sent events).

Each subscriber sees only events of the counters it serves."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

MAX_PENDING = 100


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
        for subscription in list(self._subscriptions):
            if counter in subscription.counters:
                try:
                    subscription.queue.put_nowait(event)
                except asyncio.QueueFull:
                    pass  # a stalled client; it refreshes on its next event or heartbeat

    def close(self) -> None:
        for subscription in list(self._subscriptions):
            try:
                subscription.queue.put_nowait(None)
            except asyncio.QueueFull:
                subscription.queue.get_nowait()
                subscription.queue.put_nowait(None)
        self._subscriptions.clear()
