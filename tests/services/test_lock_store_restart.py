"""The production lock store outlives a Redis restart: every connection to Redis is cut and
Redis is away for a moment, and the next owner turns still get their lock (with Rasa's own
client each cut connection failed one turn, answered with an apology)."""

from __future__ import annotations

import asyncio
import secrets
import threading

import pytest

from tests.services.fault_proxies import server_behind_proxy


@pytest.fixture()
def proxy(tmp_path):
    with server_behind_proxy(tmp_path, "Redis", "redis", 6379) as running:
        yield running


def store_through(proxy):
    from rasa.utils.endpoints import EndpointConfig

    from connectors.lock_store import ReconnectingRedisLockStore

    config = EndpointConfig(url="127.0.0.1", port=proxy.ports["redis"], db=1,
                            key_prefix="citest", type="connectors.lock_store."
                            "ReconnectingRedisLockStore")
    return ReconnectingRedisLockStore(endpoint_config=config)


async def turns(store, senders) -> list[str]:
    async def turn(sender: str) -> str:
        try:
            async with store.lock(sender, lock_lifetime=5):
                return "ok"
        except Exception as error:  # what Rasa turns into the apology
            return type(error).__name__

    return list(await asyncio.gather(*(turn(s) for s in senders)))


async def across_a_restart(proxy, store) -> list[str]:
    senders = ["ci-" + secrets.token_hex(4) for _ in range(8)]
    assert await turns(store, senders) == ["ok"] * 8  # the pool holds open connections now
    proxy.down("redis")  # every connection cut, new ones closed at once
    timer = threading.Timer(0.6, proxy.up, args=("redis",))  # back after 0.6 s
    timer.start()
    try:
        return await turns(store, senders)
    finally:
        timer.join()


async def test_turns_get_their_lock_across_a_redis_restart(proxy):
    assert await across_a_restart(proxy, store_through(proxy)) == ["ok"] * 8


async def test_rasas_own_lock_store_fails_those_turns(proxy):
    from rasa.core.lock_store import RedisLockStore

    store = RedisLockStore(host="127.0.0.1", port=proxy.ports["redis"], db=1,
                           key_prefix="citest")
    assert "LockError" in await across_a_restart(proxy, store)  # why the subclass exists
