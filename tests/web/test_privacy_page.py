"""The owners' privacy page: linked from the chat, with the tenant's own retention periods."""

from __future__ import annotations

from dataclasses import asdict

from bot.counters import load_tenant
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.conftest import ROOT
from tests.web.test_chat import FakeRasa


async def test_the_chat_links_to_a_privacy_page_with_the_enforced_periods(aiohttp_client,
                                                                          monkeypatch, tmp_path):
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("FEEDBACK_DB", str(tmp_path / "feedback.sqlite3"))
    client = await aiohttp_client(create_app(WebConfig(), rasa=FakeRasa()))  # type: ignore[arg-type]
    chat = await (await client.get("/")).text()
    assert 'href="/privacy"' in chat
    response = await client.get("/privacy")
    assert response.status == 200
    page = await response.text()
    days = asdict(load_tenant(ROOT / "content" / "tenants" / "oost-vlaanderen.yml").retention)
    assert f"{days['conversations']} dagen" in page
    assert "verwijder mijn gegevens" in page and "{" not in page
