"""The web app with its hand-off database in PostgreSQL (HANDOFF_DB_URL), as the production
profile runs it: migrated on start, an officer logs in, no SQLite file appears; `/ready`
fails while PostgreSQL does not answer and `/health` stays up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.handoff.db import Database
from bot.handoff.officers import OfficerStore
from bot.handoff.web.services import HOLDER_KEY
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.handoff.conftest import PASSWORD, FakeRasa
from tests.bot.handoff.web_helpers import login_ok
from tests.storage.postgres import postgres_database
from tests.web.test_chat import FakeRasa as FakeChat

pytestmark = pytest.mark.services


async def start(aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                url: str) -> Any:
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))  # must stay unused
    monkeypatch.setenv("HANDOFF_DB_URL", url)
    monkeypatch.setenv("FEEDBACK_DB", str(tmp_path / "feedback.sqlite3"))
    monkeypatch.setenv("INSIGHTS_DB_URL", f"sqlite:///{tmp_path / 'insights.sqlite3'}")
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", "test-service-token-123")
    app = create_app(WebConfig(), rasa=FakeChat())  # type: ignore[arg-type]
    app[HOLDER_KEY].tracker_api = FakeRasa()
    return await aiohttp_client(app)


async def test_officers_log_in_against_postgresql_and_no_sqlite_file_appears(
        aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with postgres_database("olk_storage_web") as url:
        seed = Database(url)
        await OfficerStore(seed).create("sofie", PASSWORD, ["aalst"])
        await seed.close()
        client = await start(aiohttp_client, monkeypatch, tmp_path, url)
        assert (await client.get("/ready")).status == 200
        assert await login_ok(client, "sofie")  # the session lives in PostgreSQL
        found = Database(url)
        sessions = await found.fetch_all("SELECT officer_id FROM sessions")
        await found.close()
        assert len(sessions) == 1
        await client.close()
    assert not (tmp_path / "handoff.sqlite3").exists()


async def test_not_ready_while_postgresql_does_not_answer(
        aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    client = await start(aiohttp_client, monkeypatch, tmp_path,
                         "postgresql://postgres@127.0.0.1:1/nothing_listens_here")
    response = await client.get("/ready")
    assert response.status == 503
    assert "handoff_db" in (await response.json())["failed"]
    assert (await client.get("/health")).status == 200
