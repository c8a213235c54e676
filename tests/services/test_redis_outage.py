"""Redis going away and coming back under the shared state (a TCP relay in front of the
machine's Redis stands in for a restart): nothing fails while it is gone, and limits, replay
checks and the officer console's live events work across replicas again once it is back."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest_asyncio

from bot.handoff.broker import RedisEventBroker
from bot.ratelimit import Limit, RedisRateLimiter
from bot.shared_state import REDIS_DB, SharedStateSettings, connect
from connectors.replay_cache import RedisReplayCache
from tests.services.redis_helpers import shared

__all__ = ["shared"]


class Relay:
    """127.0.0.1:<port> -> Redis; `down()` cuts every connection and refuses new ones."""

    def __init__(self) -> None:
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
                     ) -> None:
        redis_r, redis_w = await asyncio.open_connection("127.0.0.1", 6379)
        self._writers |= {client_w, redis_w}

        async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            writer.transport.abort()

        await asyncio.gather(pump(client_r, redis_w), pump(redis_r, client_w))


@pytest_asyncio.fixture
async def relay() -> AsyncIterator[Relay]:
    found = Relay()
    await found.up()
    yield found
    with contextlib.suppress(Exception):
        await found.down()


def through(relay: Relay, settings: SharedStateSettings) -> SharedStateSettings:
    return SharedStateSettings(f"redis://127.0.0.1:{relay.port}/{REDIS_DB}", settings.prefix)


async def eventually(check: object, seconds: float = 8.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        if await check():  # type: ignore[operator]
            return
        assert asyncio.get_running_loop().time() < deadline, "did not recover"
        await asyncio.sleep(0.2)


async def test_live_events_come_back_after_a_redis_restart(
        shared: SharedStateSettings, relay: Relay) -> None:
    settings = through(relay, shared)
    first, second = RedisEventBroker(settings), RedisEventBroker(settings)
    await first.start()
    await second.start()
    try:
        here, there = first.subscribe(["aalst"]), second.subscribe(["aalst"])
        await relay.down()
        first.publish("aalst", {"type": "queue", "n": 1})  # Redis gone: this process only
        assert await here.next(3) == {"type": "queue", "n": 1}
        await relay.up()
        sent = 0

        async def crosses() -> bool:
            nonlocal sent
            sent += 1
            first.publish("aalst", {"type": "queue", "n": 100 + sent})
            event = await there.next(0.5)
            return bool(event) and event["n"] > 100

        await eventually(crosses)
    finally:
        for broker in (first, second):
            broker.close()
            await broker.stop()


async def test_limits_and_replay_checks_fail_open_then_hold_again(
        shared: SharedStateSettings, relay: Relay) -> None:
    settings = through(relay, shared)
    assert settings.redis_url is not None
    limiter = RedisRateLimiter(Limit(2, 60), connect(settings.redis_url), "outage", settings)
    replays = RedisReplayCache(settings, "telegram")
    try:
        assert [await limiter.hit("a") for _ in range(3)] == [True, True, False]
        await relay.down()
        assert await limiter.hit("a")  # fail open while Redis is away
        assert not await replays.seen_before("update:1")
        assert await replays.seen_before("update:1")  # this replica's memory still knows it
        await relay.up()

        async def limited() -> bool:
            return not await limiter.hit("a")

        await eventually(limited)
        assert not await replays.seen_before("update:2")
        assert await replays.seen_before("update:2")
    finally:
        await limiter.close()
        await replays.close()
