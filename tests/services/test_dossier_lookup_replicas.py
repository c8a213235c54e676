"""Two dossier service replicas on one Redis count the owners' look-up limit together: a
conversation cannot double its guesses by landing on the other replica."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from bot.dossiers.service.app import create_dossier_app
from bot.dossiers.service.sqlite_storage import SqliteStorage
from bot.shared_state import SharedStateSettings
from tests.bot.dossier_fixtures import OFFICERS, SERVICE_TOKEN, free_port, serving
from tests.services.redis_helpers import shared

__all__ = ["shared"]


async def test_the_lookup_limit_holds_across_replicas(shared: SharedStateSettings,
                                                      tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path / "dossiers.sqlite3")
    apps = [create_dossier_app(storage, OFFICERS, service_token=SERVICE_TOKEN, lookup_limit=3,
                               shared_state=shared) for _ in range(2)]
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Conversation-Id": "conv-1"}
    try:
        async with serving(apps[0], free_port()) as first, \
                serving(apps[1], free_port()) as second, aiohttp.ClientSession() as http:

            async def guess(n: int) -> tuple[int, str | None]:
                base = (first, second)[n % 2]
                async with http.post(f"{base}/api/dossiers/OVL-2026-K7M4QX/owner-lookup",
                                     json={"email": f"raad{n}@example.be"},
                                     headers=headers) as reply:
                    return reply.status, reply.headers.get("Retry-After")

            results = await asyncio.gather(*(guess(n) for n in range(8)))
    finally:
        await storage.close()
    statuses = sorted(status for status, _ in results)
    assert statuses == [404] * 3 + [429] * 5  # 3 looked up (no such dossier), 5 refused
    assert all(1 <= int(after or 0) <= 60 for status, after in results if status == 429)
