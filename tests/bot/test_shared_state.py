"""Which backend the shared state gets, and what a limiter does when Redis is down."""

from __future__ import annotations

import logging

import pytest

from bot.ratelimit import InMemoryRateLimiter, Limit, RedisRateLimiter, build_limiter
from bot.shared_state import SharedStateSettings, shared_state_from_env


def test_only_the_production_profile_with_a_redis_host_shares_state() -> None:
    production = {"PROFILE": "production", "REDIS_HOST": "10.0.0.5", "REDIS_PORT": "6380"}
    assert shared_state_from_env(production).redis_url == "redis://10.0.0.5:6380/1"
    assert shared_state_from_env({**production, "PROFILE": "local"}).redis_url is None
    assert shared_state_from_env({"PROFILE": "production"}).redis_url is None
    assert shared_state_from_env({}).redis_url is None
    assert shared_state_from_env({"REDIS_KEY_PREFIX": "p1"}).key("a", "b") == "p1:state:a:b"


def test_the_local_profile_limits_in_memory() -> None:
    assert isinstance(build_limiter(Limit(1, 60), "x", SharedStateSettings()),
                      InMemoryRateLimiter)


async def test_redis_down_fails_open_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    settings = SharedStateSettings("redis://127.0.0.1:1/1", "test-down")
    limiter = build_limiter(Limit(1, 60), "feedback", settings)
    assert isinstance(limiter, RedisRateLimiter)
    with caplog.at_level(logging.WARNING, logger="bot.shared_state"):
        results = [await limiter.hit("203.0.113.7") for _ in range(3)]
    await limiter.close()
    assert results == [True, True, True]
    warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(warnings) == 1


async def test_after_a_failure_requests_do_not_wait_on_redis(
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = SharedStateSettings("redis://127.0.0.1:1/1", "test-down")
    limiter = build_limiter(Limit(1, 60), "feedback", settings)
    assert isinstance(limiter, RedisRateLimiter)
    calls = 0
    script = limiter._script

    async def counted(**kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return await script(**kwargs)

    monkeypatch.setattr(limiter, "_script", counted)
    assert [await limiter.hit("a") for _ in range(5)] == [True] * 5
    await limiter.close()
    assert calls == 1  # one try, then SKIP_SECONDS without Redis
