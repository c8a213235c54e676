"""Rate limit of the owners' dossier look-up, per key (conversation or client address).

In memory (a sliding window per key, bounded in size) in the local profile; in the production
profile the same window in Redis (bot/ratelimit.py), shared by every replica. `check` is what
the handler calls; when Redis is down the look-up is allowed (fail open, logged)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from bot.ratelimit import Decision, Limit, RedisRateLimiter
from bot.shared_state import SharedStateSettings, connect


class LookupLimiter(Protocol):
    async def check(self, key: str) -> Decision: ...

    async def close(self) -> None: ...


def retry_after_header(decision: Decision) -> str:
    """Whole seconds for `Retry-After`, at least 1."""
    return str(max(1, math.ceil(decision.retry_after)))


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    def _prune(self, now: float) -> None:
        cutoff = now - self.window
        stale = [key for key, hits in self._hits.items() if not hits or hits[-1] <= cutoff]
        for key in stale:
            del self._hits[key]

    def allow(self, key: str) -> bool:
        now = self._clock()
        if len(self._hits) >= self._max_keys:
            self._prune(now)
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def retry_after(self, key: str) -> int:
        hits = self._hits.get(key)
        if not hits:
            return 0
        return max(1, int(hits[0] + self.window - self._clock()) + 1)

    async def check(self, key: str) -> Decision:
        if self.allow(key):
            return Decision(True)
        return Decision(False, float(self.retry_after(key)))

    async def close(self) -> None:
        return None


class SharedRateLimiter:
    """The look-up limit in Redis: every dossier service replica counts in the same window."""

    def __init__(self, limit: int, window_seconds: float, settings: SharedStateSettings) -> None:
        if settings.redis_url is None:
            raise ValueError("SharedRateLimiter needs a Redis URL")
        self._redis = RedisRateLimiter(Limit(limit, window_seconds), connect(settings.redis_url),
                                       "dossier_lookup", settings)

    async def check(self, key: str) -> Decision:
        return await self._redis.attempt(key)

    async def close(self) -> None:
        await self._redis.close()


def lookup_limiter(limit: int, window_seconds: float,
                   settings: SharedStateSettings) -> LookupLimiter:
    if settings.redis_url is None:
        return RateLimiter(limit, window_seconds)
    return SharedRateLimiter(limit, window_seconds, settings)
