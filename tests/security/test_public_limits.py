"""Rate limits on the web app's public endpoints, per client address and per conversation
(bot/web/public_limits.py): a flood of messages from one address, from fresh sessions, gets
429 with a Dutch explanation after the limit; one chatty conversation does not block another
one at the same address; uploads, widget connections and polls are limited too; RATE_LIMITS=off
leaves the per-conversation limits on."""

from __future__ import annotations

import time
from typing import Any

import pytest
import yaml

from bot.web.public_limits import RULES
from tests.conftest import ROOT

WEB_TEXTS = yaml.safe_load((ROOT / "content" / "web.yml").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _default_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RATE_LIMITS", "REDIS_URL", "PROFILE", *(rule.env for rule in RULES)):
        monkeypatch.delenv(name, raising=False)


async def chat(client: Any, text: str = "mag ik een terras?", fresh: bool = False) -> Any:
    if fresh:  # a new session: no cookie, so a new conversation
        client.session.cookie_jar.clear()
    return await client.post("/api/chat", json={"message": text})


async def test_a_flood_from_one_address_is_cut_at_the_default_limit(make_client: Any) -> None:
    client = await make_client()
    started = time.monotonic()
    statuses = [(await chat(client, fresh=True)).status for _ in range(100)]
    seconds = time.monotonic() - started
    assert statuses.count(200) == 60 and statuses.count(429) == 40, (statuses, seconds)
    refused = await chat(client, fresh=True)
    assert refused.status == 429 and refused.headers["Retry-After"] == "60"
    body = await refused.json()
    assert body["messages"] == [{"text": WEB_TEXTS["rate_limited"]}] and body["rate_limited"]
    # `/api/chat/reset` (a new conversation) counts against the same address limit
    assert (await client.post("/api/chat/reset")).status == 429


async def test_one_chatty_conversation_does_not_block_another_at_the_same_address(
        make_client: Any) -> None:
    client = await make_client(RATE_LIMITS="off")  # a load test from one address
    first = await chat(client, fresh=True)  # no cookie yet: the server issues the conversation
    assert first.status == 200
    own = [(await chat(client)).status for _ in range(25)]  # same cookie, same conversation
    assert own.count(200) == 20 and own.count(429) == 5  # 20 a minute, RATE_LIMITS=off or not
    other = [(await chat(client, fresh=True)).status for _ in range(30)]
    assert other == [200] * 30  # fresh conversations, per-address limit off


async def test_uploads_widget_connections_and_polls_have_limits(make_client: Any) -> None:
    client = await make_client(UPLOAD_CONVERSATION_RATE_LIMIT="2/600", SOCKET_RATE_LIMIT="3/60",
                               POLL_RATE_LIMIT="4/60", WEBHOOK_RATE_LIMIT="2/60")
    assert (await chat(client, fresh=True)).status == 200  # a session cookie
    uploads = [(await client.post("/api/chat/documents", data=b"%PDF-1.4 x", headers={
        "X-Document-Name": "plan.pdf", "Content-Type": "application/pdf"})).status
        for _ in range(3)]
    assert uploads[:2] != [429, 429] and uploads[2] == 429
    sockets = [(await client.get("/socket.io/?EIO=4&transport=websocket")).status
               for _ in range(4)]
    assert 429 not in sockets[:3] and sockets[3] == 429
    polls = [(await client.get("/api/chat/history")).status for _ in range(5)]
    assert 429 not in polls[:4] and polls[4] == 429
    hooks = [(await client.post("/webhooks/telegram/webhook", json={"update_id": 1})).status
             for _ in range(3)]
    assert 429 not in hooks[:2] and hooks[2] == 429


async def test_limits_are_settings(make_client: Any) -> None:
    client = await make_client(CHAT_RATE_LIMIT="2/30")
    statuses = [(await chat(client, fresh=True)).status for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = await chat(client, fresh=True)
    assert refused.headers["Retry-After"] == "30"
