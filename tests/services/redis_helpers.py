"""A unique key prefix per test on the machine's Redis, removed afterwards."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest_asyncio
from redis import asyncio as redis_asyncio

from bot.shared_state import REDIS_DB, SharedStateSettings
from tests.conftest import require_service

REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"


@pytest_asyncio.fixture
async def shared() -> AsyncIterator[SharedStateSettings]:
    require_service("Redis", "127.0.0.1", 6379)
    settings = SharedStateSettings(REDIS_URL, f"test-shared-{secrets.token_hex(6)}")
    yield settings
    client = redis_asyncio.Redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(f"{settings.prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.close()
