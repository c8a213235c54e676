"""Which webhook requests were handled already, so a replay is recognised: in this process's
memory (local profile) or in Redis for every Rasa replica (production profile), one key per
request id set with NX and an expiry (the first replica to set it handles the request).

When Redis does not answer, the request is checked against this process's own memory instead
(fail open across replicas, logged): the owner still gets an answer, and a replay to the same
replica is still caught."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Protocol

from redis.exceptions import RedisError

from bot.shared_state import OutageLog, SharedStateSettings, connect, shared_state_from_env
from connectors.settings import rasa_settings
from connectors.webhook_security import ReplayGuard

TTL_SECONDS = 24 * 3600
UNREACHABLE = (RedisError, OSError, asyncio.TimeoutError)


class ReplayCache(Protocol):
    async def seen_before(self, key: str) -> bool:
        """True when `key` was handled already; otherwise remember it and return False."""


class MemoryReplayCache:
    def __init__(self, ttl_seconds: float = TTL_SECONDS) -> None:
        self._guard = ReplayGuard(ttl_seconds)

    async def seen_before(self, key: str) -> bool:
        return self._guard.seen_before(key)


class RedisReplayCache:
    def __init__(self, settings: SharedStateSettings, channel: str,
                 ttl_seconds: float = TTL_SECONDS) -> None:
        if settings.redis_url is None:
            raise ValueError("RedisReplayCache needs a Redis URL")
        self._client = connect(settings.redis_url)
        self._settings = settings
        self._channel = channel
        self._ttl_ms = max(1, int(ttl_seconds * 1000))
        self._fallback = ReplayGuard(ttl_seconds)
        self._outage = OutageLog(f"webhook replay cache {channel}")

    async def seen_before(self, key: str) -> bool:
        if self._outage.skipping:
            return self._fallback.seen_before(key)
        redis_key = self._settings.key("replay", self._channel, key)
        try:
            first = await self._client.set(redis_key, b"1", nx=True, px=self._ttl_ms)
        except UNREACHABLE as error:
            self._outage.failed(error)
            return self._fallback.seen_before(key)
        self._fallback.seen_before(key)  # so an outage later still knows recent ids
        return not first

    async def close(self) -> None:
        await self._client.close()


def replay_cache(settings: SharedStateSettings, channel: str) -> ReplayCache:
    if settings.redis_url is None:
        return MemoryReplayCache()
    return RedisReplayCache(settings, channel)


def replay_cache_from_env(channel: str, env: Mapping[str, str] | None = None) -> ReplayCache:
    """The channel's replay cache, in Redis in the production profile (bot/shared_state.py);
    `env` for tests, else the Rasa process's settings."""
    shared = rasa_settings().shared_state if env is None else shared_state_from_env(env)
    return replay_cache(shared, channel)
