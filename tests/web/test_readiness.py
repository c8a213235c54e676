"""`/ready` of the web app: ready only while its databases answer; `/health` stays up."""

from __future__ import annotations

import pytest

from bot.handoff.db import Database
from bot.handoff.web.services import HOLDER_KEY
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.handoff.conftest import FakeRasa
from tests.web.test_chat import FakeRasa as FakeChat


@pytest.fixture()
async def client(aiohttp_client, monkeypatch, tmp_path):
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("FEEDBACK_DB", str(tmp_path / "feedback.sqlite3"))
    monkeypatch.setenv("INSIGHTS_DB_URL", f"sqlite:///{tmp_path / 'insights.sqlite3'}")
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", "test-service-token-123")
    app = create_app(WebConfig(), rasa=FakeChat())  # type: ignore[arg-type]
    app[HOLDER_KEY].tracker_api = FakeRasa()
    return await aiohttp_client(app)


async def test_ready_when_the_databases_answer(client):
    response = await client.get("/ready")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ready"
    assert {"handoff_db", "insights_db"} <= set(body["checks"])


async def test_not_ready_when_the_handoff_database_is_gone_but_still_alive(client, tmp_path):
    hub = client.app[HOLDER_KEY].services
    await hub.db.close()
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    hub.db = Database(blocker / "handoff.sqlite3")  # cannot be opened
    response = await client.get("/ready")
    assert response.status == 503
    assert (await response.json())["failed"] == ["handoff_db"]
    assert (await client.get("/health")).status == 200
