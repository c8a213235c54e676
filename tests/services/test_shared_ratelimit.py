"""Rate limits and webhook replay caches shared through the machine's Redis: parallel hits
from several replicas cannot beat a limit, a window frees up again, a replayed webhook is
handled once."""

from __future__ import annotations

import asyncio

from bot.dossiers.service.ratelimit import lookup_limiter, retry_after_header
from bot.ratelimit import Limit, RedisRateLimiter, build_limiter
from bot.shared_state import SharedStateSettings, connect
from connectors.replay_cache import RedisReplayCache
from tests.services.redis_helpers import shared

__all__ = ["shared"]


async def test_fifty_parallel_hits_from_two_replicas_admit_exactly_ten(
        shared: SharedStateSettings) -> None:
    assert shared.redis_url is not None
    replicas = [RedisRateLimiter(Limit(10, 60), connect(shared.redis_url), "feedback", shared)
                for _ in range(2)]
    try:
        results = await asyncio.gather(*(replicas[n % 2].hit("203.0.113.7")
                                         for n in range(50)))
        other = await replicas[0].hit("203.0.113.8")
    finally:
        for replica in replicas:
            await replica.close()
    assert sum(results) == 10
    assert other  # another address has its own window


async def test_a_refused_hit_says_when_to_retry_and_the_window_slides(
        shared: SharedStateSettings) -> None:
    limiter = build_limiter(Limit(2, 0.5), "lookup", shared)
    assert isinstance(limiter, RedisRateLimiter)
    try:
        assert (await limiter.attempt("a")).allowed
        assert (await limiter.attempt("a")).allowed
        refused = await limiter.attempt("a")
        assert not refused.allowed and 0 < refused.retry_after <= 0.5
        await asyncio.sleep(0.6)
        assert (await limiter.attempt("a")).allowed
    finally:
        await limiter.close()


async def test_a_webhook_replayed_to_another_replica_is_recognised(
        shared: SharedStateSettings) -> None:
    replicas = [RedisReplayCache(shared, "telegram") for _ in range(2)]
    try:
        seen = await asyncio.gather(*(replicas[n % 2].seen_before("update:4711")
                                      for n in range(50)))
        fresh = await replicas[1].seen_before("update:4712")
    finally:
        for replica in replicas:
            await replica.close()
    assert seen.count(False) == 1  # exactly one replica handles the update
    assert not fresh


async def test_the_dossier_lookup_limit_is_shared_by_replicas(
        shared: SharedStateSettings) -> None:
    replicas = [lookup_limiter(3, 60, shared) for _ in range(2)]
    try:
        decisions = [await replicas[n % 2].check("OVL-2026-K7M4QX|conversation:c1")
                     for n in range(5)]
    finally:
        for replica in replicas:
            await replica.close()
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert retry_after_header(decisions[-1]) in {str(n) for n in range(1, 61)}
