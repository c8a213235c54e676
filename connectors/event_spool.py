"""Events RabbitMQ did not take, kept in Redis where every Rasa replica sees them (production
profile), so a replica that is killed does not take its backlog with it: whichever replica holds
the drain lease republishes the list, oldest first.

Why not process memory: in a fault run a Rasa replica killed while its broker held 116 owner
turns back (RabbitMQ was slow to confirm under load) lost them for good. In Redis they outlive
the process; a surviving replica sees the list is not empty and drains it.

One list per deployment (`<prefix>:state:broker:kept`), one lease (`…:broker:drain`, a token
with an expiry, renewed per batch). The list is only shortened by the lease holder, checked in
the same Lua script, so a replica whose lease ran out (a long pause) cannot cut events another
replica has not published yet. A drain cut off between publishing and trimming publishes the
batch again: the insights consumer skips events it has seen.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from redis import asyncio as redis_asyncio

from bot.shared_state import SharedStateSettings, connect

Kept = tuple[dict[str, Any], dict[str, str] | None]

LEASE_MS = 15_000  # a killed drainer's lease: the others wait at most this long

# Shorten the list by ARGV[2] only while the caller still holds the lease.
_TRIM = """
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('LTRIM', KEYS[1], tonumber(ARGV[2]), -1)
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]))
  return 1
end
return 0
"""
# Take the lease when it is free, keep it when it is ours.
_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
  return 1
elseif holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def encode(item: Kept) -> bytes:
    event, headers = item
    return json.dumps({"event": event, "headers": headers}, separators=(",", ":")).encode()


def decode(raw: bytes) -> Kept | None:
    """None for an entry that is not ours (it is skipped, never published half-read)."""
    try:
        item = json.loads(raw)
        event, headers = item["event"], item.get("headers")
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(event, dict) or not (headers is None or isinstance(headers, dict)):
        return None
    return event, headers


class EventSpool:
    """Redis calls raise redis' errors: the broker falls back to its memory when Redis is away."""

    def __init__(self, client: redis_asyncio.Redis, settings: SharedStateSettings,
                 lease_ms: int | None = None) -> None:
        self._client = client
        self._list = settings.key("broker", "kept")
        self._lease = settings.key("broker", "drain")
        self._lease_ms = LEASE_MS if lease_ms is None else lease_ms
        self.token = secrets.token_hex(8)  # this process, as lease holder

    @classmethod
    def from_settings(cls, settings: SharedStateSettings) -> EventSpool | None:
        if settings.redis_url is None:
            return None
        return cls(connect(settings.redis_url), settings)

    async def push(self, items: list[Kept]) -> None:
        if items:
            await self._client.rpush(self._list, *(encode(item) for item in items))

    async def length(self) -> int:
        return int(await self._client.llen(self._list))

    async def lease(self) -> bool:
        return bool(await self._client.eval(_LEASE, 1, self._lease, self.token, self._lease_ms))

    async def oldest(self, count: int) -> list[bytes]:
        return list(await self._client.lrange(self._list, 0, count - 1))

    async def drop_oldest(self, count: int) -> bool:
        """False when the lease was lost meanwhile: then nothing is removed."""
        return bool(await self._client.eval(_TRIM, 2, self._list, self._lease, self.token,
                                            count, self._lease_ms))

    async def release(self) -> None:
        await self._client.eval(_RELEASE, 1, self._lease, self.token)

    async def close(self) -> None:
        await self._client.close()
