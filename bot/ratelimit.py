"""Rate limits behind one small interface (in memory now; a Redis backend can come later).

A limit is written `COUNT/SECONDS` ("10/60": at most 10 hits per key in any 60 seconds) and
comes from an environment variable with a default in code. `RATE_LIMITS=off` switches off the
*per-address* limits (load tests from one address); limits that protect one account or one
conversation are built with `per_address=False` and always stay on.

The in-memory limiter keeps a sliding window per key (at most COUNT timestamps) for at most
`max_keys` keys; the least recently used key is forgotten first, so a flood of fresh keys
cannot grow memory without bound.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

DEFAULT_MAX_KEYS = 10_000


class InvalidLimit(ValueError):
    """A limit that is not COUNT/SECONDS with positive numbers."""


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> Limit:
        count, sep, seconds = text.strip().partition("/")
        try:
            limit = cls(int(count), float(seconds))
        except ValueError as error:
            raise InvalidLimit(text) from error
        if not sep or limit.count < 1 or limit.seconds <= 0:
            raise InvalidLimit(text)
        return limit


class RateLimiter(Protocol):
    async def hit(self, key: str) -> bool:
        """Count one hit for `key`; False when the key is over its limit (the hit is then
        not counted)."""


class Unlimited:
    async def hit(self, key: str) -> bool:
        return True


class InMemoryRateLimiter:
    def __init__(self, limit: Limit, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = DEFAULT_MAX_KEYS) -> None:
        self.limit = limit
        self._clock = clock
        self._max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    async def hit(self, key: str) -> bool:
        return self.hit_now(key)

    def hit_now(self, key: str) -> bool:
        now = self._clock()
        hits = self._hits.pop(key, None)
        if hits is None:
            hits = deque(maxlen=self.limit.count)
        while hits and hits[0] <= now - self.limit.seconds:
            hits.popleft()
        allowed = len(hits) < self.limit.count
        if allowed:
            hits.append(now)
        self._hits[key] = hits
        while len(self._hits) > self._max_keys:
            self._hits.popitem(last=False)
        return allowed


def limits_enabled(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return env.get("RATE_LIMITS", "on").strip().lower() not in ("off", "false", "0", "no")


def limit_from_env(name: str, default: str, env: Mapping[str, str] | None = None) -> Limit:
    env = os.environ if env is None else env
    return Limit.parse(env.get(name) or default)


def limiter_from_env(name: str, default: str, *, per_address: bool,
                     env: Mapping[str, str] | None = None,
                     clock: Callable[[], float] = time.monotonic) -> RateLimiter:
    """The limiter configured by environment variable `name` (COUNT/SECONDS)."""
    env = os.environ if env is None else env
    if per_address and not limits_enabled(env):
        return Unlimited()
    return InMemoryRateLimiter(limit_from_env(name, default, env), clock)
