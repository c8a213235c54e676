"""The production profile's web app with its Redis unreachable: the owner's messages and votes
are still answered (the per-address limits fail open), never with a 500."""

from __future__ import annotations

from typing import Any

import pytest

from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.web.test_chat import FakeRasa


@pytest.fixture()
async def client(aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    for name, value in {"PROFILE": "production", "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "1",
                        "HANDOFF_DB": str(tmp_path / "handoff.sqlite3"),
                        "FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"), "INSIGHTS": "off",
                        "PURGE_INTERVAL_SECONDS": "off"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("HANDOFF_DB_URL", raising=False)
    rasa = FakeRasa()
    return await aiohttp_client(create_app(WebConfig(), rasa=rasa))  # type: ignore[arg-type]


async def test_messages_are_answered_while_redis_is_down(client: Any) -> None:
    for _ in range(3):
        response = await client.post("/api/chat", json={"message": "hallo"})
        assert response.status == 200
        assert [m["text"] for m in (await response.json())["messages"]] == ["Dag!"]
