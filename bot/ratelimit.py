"""Rate limits behind one small interface: in process memory (local profile) or in Redis, shared
by every replica (production profile, see bot/shared_state.py).

A limit is written `COUNT/SECONDS` ("10/60": at most 10 hits per key in any 60 seconds) and
comes from an environment variable with a default in code. `RATE_LIMITS=off` switches off the
*per-address* limits (load tests from one address); limits that protect one account or one
conversation are built with `per_address=False` and always stay on.

The in-memory limiter keeps a sliding window per key (at most COUNT timestamps) for at most
`max_keys` keys; the least recently used key is forgotten first, so a flood of fresh keys
cannot grow memory without bound.

The Redis limiter keeps the same sliding window (a sorted set of hit times per key, trimmed,
counted and added to in one Lua script, so parallel requests on any replica cannot beat the
limit; the times come from the Redis server's clock). When Redis does not answer it fails
open (the hit is allowed) and logs a warning: a limit is a brake, not a reason to refuse an
owner or to answer with a 500.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from redis import asyncio as redis_asyncio
from redis.exceptions import RedisError

from bot.shared_state import OutageLog, SharedStateSettings, connect, shared_state_from_env

DEFAULT_MAX_KEYS = 10_000
# Documents an owner adds per conversation: the web app's uploads (bot/web/public_limits.py) and
# files sent on Telegram and WhatsApp (connectors/documents.py) count against the same setting,
# in one namespace (keys are the conversation ids).
UPLOAD_CONVERSATION_ENV = "UPLOAD_CONVERSATION_RATE_LIMIT"
UPLOAD_CONVERSATION_DEFAULT = "10/600"


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


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0  # seconds until the oldest counted hit leaves the window


class RateLimiter(Protocol):
    async def hit(self, key: str) -> bool:
        """Count one hit for `key`; False when the key is over its limit (the hit is then
        not counted)."""


class Unlimited:
    async def hit(self, key: str) -> bool:
        return True

    async def attempt(self, key: str) -> Decision:
        return Decision(True)


class InMemoryRateLimiter:
    def __init__(self, limit: Limit, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = DEFAULT_MAX_KEYS) -> None:
        self.limit = limit
        self._clock = clock
        self._max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    async def hit(self, key: str) -> bool:
        return self.hit_now(key)

    async def attempt(self, key: str) -> Decision:
        allowed = self.hit_now(key)
        if allowed:
            return Decision(True)
        oldest = self._hits[key][0]
        return Decision(False, max(0.0, oldest + self.limit.seconds - self._clock()))

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


# KEYS[1]: the key's sorted set; ARGV: count, window in ms, a unique member for this hit.
# Returns {1, 0} (counted) or {0, ms until the oldest hit leaves the window}.
SLIDING_WINDOW_SCRIPT = """
local count = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < count then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, math.max(0, tonumber(oldest[2]) + window - now)}
"""
UNREACHABLE = (RedisError, OSError, asyncio.TimeoutError)


class RedisRateLimiter:
    """The sliding window of InMemoryRateLimiter, shared by every process using the same
    Redis and `namespace` (keys `<prefix>:state:ratelimit:<namespace>:<key>`)."""

    def __init__(self, limit: Limit, client: redis_asyncio.Redis, namespace: str,
                 settings: SharedStateSettings) -> None:
        self.limit = limit
        self._client = client
        self._namespace = namespace
        self._settings = settings
        self._script: Any = client.register_script(SLIDING_WINDOW_SCRIPT)
        self._outage = OutageLog(f"rate limit {namespace}")

    async def hit(self, key: str) -> bool:
        return (await self.attempt(key)).allowed

    async def attempt(self, key: str) -> Decision:
        if self._outage.skipping:
            return Decision(True)
        redis_key = self._settings.key("ratelimit", self._namespace, key)
        window_ms = max(1, int(self.limit.seconds * 1000))
        try:
            allowed, wait_ms = await self._script(
                keys=[redis_key],
                args=[self.limit.count, window_ms, secrets.token_hex(8)])
        except UNREACHABLE as error:
            self._outage.failed(error)
            return Decision(True)
        return Decision(bool(allowed), int(wait_ms) / 1000)

    async def close(self) -> None:
        await self._client.close()


def build_limiter(limit: Limit, namespace: str, settings: SharedStateSettings,
                  clock: Callable[[], float] = time.monotonic
                  ) -> InMemoryRateLimiter | RedisRateLimiter:
    """Redis when the settings name one, else this process's memory."""
    if settings.redis_url is None:
        return InMemoryRateLimiter(limit, clock)
    return RedisRateLimiter(limit, connect(settings.redis_url), namespace, settings)


def limits_enabled(env: Mapping[str, str]) -> bool:
    return env.get("RATE_LIMITS", "on").strip().lower() not in ("off", "false", "0", "no")


def limit_from_env(name: str, default: str, env: Mapping[str, str]) -> Limit:
    return Limit.parse(env.get(name) or default)


def limiter_from_env(name: str, default: str, *, per_address: bool,
                     env: Mapping[str, str],
                     clock: Callable[[], float] = time.monotonic) -> RateLimiter:
    """The limiter configured by environment variable `name` (COUNT/SECONDS), in Redis in the
    production profile (bot/shared_state.py)."""
    if per_address and not limits_enabled(env):
        return Unlimited()
    return build_limiter(limit_from_env(name, default, env), name.lower(),
                         shared_state_from_env(env), clock)
