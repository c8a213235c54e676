"""Documents sent on Telegram and WhatsApp count against the web upload's per-conversation limit
(UPLOAD_CONVERSATION_RATE_LIMIT) in the machine's Redis in the production profile: every Rasa
replica counts together, in the web app's namespace."""

from __future__ import annotations

import asyncio
import secrets

from redis import asyncio as redis_asyncio

from bot.ratelimit import RedisRateLimiter
from bot.shared_state import REDIS_DB
from connectors.documents import ChannelDocuments
from tests.conftest import require_service


async def test_two_rasa_replicas_share_the_upload_limit_per_conversation() -> None:
    require_service("Redis", "127.0.0.1", 6379)
    prefix = f"test-upload-{secrets.token_hex(6)}"
    env = {"PROFILE": "production", "REDIS_HOST": "127.0.0.1", "REDIS_KEY_PREFIX": prefix,
           "UPLOAD_CONVERSATION_RATE_LIMIT": "3/60"}
    replicas = [ChannelDocuments.from_env(env) for _ in range(2)]
    limiters = [replica.limiter for replica in replicas]
    client = redis_asyncio.Redis.from_url(f"redis://127.0.0.1:6379/{REDIS_DB}")
    try:
        assert all(isinstance(limiter, RedisRateLimiter) for limiter in limiters)
        results = await asyncio.gather(*(limiters[n % 2].hit("tg-4242") for n in range(8)))
        assert sum(results) == 3
        assert await limiters[1].hit("wa-32470123456")  # another conversation
        keys = {key.decode() async for key in client.scan_iter(f"{prefix}:*")}
        # the web app's namespace (bot/web/public_limits.py: upload_conversation_rate_limit)
        assert f"{prefix}:state:ratelimit:upload_conversation_rate_limit:tg-4242" in keys
    finally:
        for limiter in limiters:
            assert isinstance(limiter, RedisRateLimiter)
            await limiter.close()
        keys = [key async for key in client.scan_iter(f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
        await client.close()
