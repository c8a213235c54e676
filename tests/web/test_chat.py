"""The owner's chat page and its proxy to Rasa, with a fake Rasa client (no network)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.web.app import create_app
from bot.web.rasa_client import RasaUnavailable
from bot.webcore.config import WebConfig
from bot.webcore.owner_session import SESSION_COOKIE


class FakeRasa:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.fail = fail

    async def send(self, sender: str, text: str, metadata: dict[str, Any] | None = None):
        self.calls.append((sender, text, metadata or {}))
        if self.fail:
            raise RasaUnavailable("down")
        return [{"recipient_id": sender, "text": "Dag!", "custom": {"topic": None}}]


@pytest.fixture()
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture()
async def client(aiohttp_client, rasa):
    return await aiohttp_client(create_app(WebConfig(), rasa=rasa))  # type: ignore[arg-type]


async def test_page_is_dutch_with_strict_csp_and_a_random_session(client):
    response = await client.get("/")
    body = await response.text()
    assert response.status == 200
    assert '<html lang="nl">' in body and "Versturen" in body
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    cookie = response.cookies[SESSION_COOKIE]
    assert len(cookie.value) >= 24 and cookie["httponly"]


async def test_messages_go_to_rasa_under_the_cookie_session(client, rasa):
    await client.get("/")
    first = await client.post("/api/chat", json={"message": "hallo"})
    second = await client.post("/api/chat", json={"message": "terras"})
    assert (await first.json())["messages"][0]["text"] == "Dag!"
    assert second.status == 200
    senders = {call[0] for call in rasa.calls}
    assert len(senders) == 1 and "default" not in senders


async def test_two_visitors_never_share_a_conversation(aiohttp_client, rasa):
    app_config = WebConfig()
    one = await aiohttp_client(create_app(app_config, rasa=rasa))  # type: ignore[arg-type]
    await one.post("/api/chat", json={"message": "a"})
    other = await aiohttp_client(create_app(app_config, rasa=rasa))  # type: ignore[arg-type]
    await other.post("/api/chat", json={"message": "b"})
    assert rasa.calls[0][0] != rasa.calls[1][0]


async def test_forged_session_cookie_is_replaced(client, rasa):
    client.session.cookie_jar.update_cookies({SESSION_COOKIE: "<script>"})
    response = await client.post("/api/chat", json={"message": "hallo"})
    assert response.status == 200
    assert rasa.calls[-1][0] != "<script>"


async def test_rasa_down_gives_a_flag_the_page_turns_into_dutch_text(aiohttp_client):
    client = await aiohttp_client(create_app(WebConfig(), rasa=FakeRasa(fail=True)))  # type: ignore[arg-type]
    response = await client.post("/api/chat", json={"message": "hallo"})
    assert response.status == 200
    assert (await response.json()) == {"messages": [], "unavailable": True}
    page = await (await client.get("/")).text()
    assert "niet bereikbaar" in page


async def test_non_json_posts_are_refused(client):
    response = await client.post("/api/chat", data="message=hallo")
    assert response.status == 415


async def test_reset_starts_a_new_conversation(client, rasa):
    await client.post("/api/chat", json={"message": "a"})
    await client.post("/api/chat/reset")
    await client.post("/api/chat", json={"message": "b"})
    assert rasa.calls[0][0] != rasa.calls[1][0]
