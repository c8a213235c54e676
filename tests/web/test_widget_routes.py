"""The widget's side of our web app: demo page, texts, feedback, the socket.io relay to Rasa
and the relay of messaging webhooks (fake Rasa servers, no model)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType, web

from bot.feedback import FeedbackStore
from bot.handoff.web.services import HOLDER_KEY
from bot.message_ids import bot_message_id
from bot.web.app import create_app
from bot.webcore.config import WebConfig

MUNICIPAL_SITE = "https://www.aalst.example.be"


@pytest.fixture()
def feedback_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "feedback.sqlite3"
    monkeypatch.setenv("FEEDBACK_DB", str(path))
    monkeypatch.setenv("WIDGET_ALLOWED_ORIGINS", MUNICIPAL_SITE + "/")
    return path


class FakeRasa:
    """Rasa's socket.io endpoint and a messaging webhook, as far as our relays see them."""

    def __init__(self) -> None:
        self.frames: list[str] = []
        self.webhooks: list[tuple[str, bytes, dict[str, str]]] = []

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str('0{"sid":"abc","pingInterval":25000,"pingTimeout":20000}')
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                break
            self.frames.append(message.data)
            if message.data == "40":
                await ws.send_str('40{"sid":"xyz"}')
            elif message.data.startswith("42"):
                await ws.send_str('42["bot_uttered",{"text":"Dag!"}]')
        return ws

    async def webhook(self, request: web.Request) -> web.Response:
        self.webhooks.append((request.match_info["channel"], await request.read(),
                              dict(request.headers)))
        return web.json_response({"status": "ok"}, status=200)


@pytest.fixture()
async def rasa_server(aiohttp_server: Any) -> tuple[FakeRasa, str]:
    fake = FakeRasa()
    app = web.Application()
    app.router.add_get("/socket.io/", fake.socket)
    app.router.add_post("/webhooks/{channel}/webhook", fake.webhook)
    server = await aiohttp_server(app)
    return fake, str(server.make_url("")).rstrip("/")


CONVERSATION = "c0ffee" * 4
ANSWER_AT = 1_795_428_000.25
ANSWER_TEXT = "Voor een terras heb je een vergunning nodig."


class FakeTrackers:
    """Rasa's HTTP API as the feedback API reads it: the tracker's events."""

    def __init__(self) -> None:
        self.trackers: dict[str, list[dict[str, Any]]] = {CONVERSATION: [
            {"event": "user", "text": "terras", "timestamp": ANSWER_AT - 1},
            {"event": "bot", "text": ANSWER_TEXT, "timestamp": ANSWER_AT,
             "data": {"custom": {"topic": "terrasvergunning"}}}]}

    async def tracker(self, sender: str) -> dict[str, Any]:
        return {"events": self.trackers.get(sender, [])}


@pytest.fixture()
async def client(aiohttp_client: Any, feedback_db: Path, rasa_server: tuple[FakeRasa, str],
                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    app = create_app(WebConfig(rasa_url=rasa_server[1]))
    app[HOLDER_KEY].tracker_api = FakeTrackers()  # type: ignore[assignment]
    return await aiohttp_client(app)


# -- demo page and texts -------------------------------------------------------------------

async def test_demo_page_embeds_the_widget_for_the_municipality_under_a_strict_csp(client):
    response = await client.get("/demo", params={"municipality": "Aalst"})
    body = await response.text()
    assert response.status == 200
    assert "<h1>Ondernemen in Aalst</h1>" in body
    assert 'src="/static/widget.js"' in body and 'data-municipality="Aalst"' in body
    assert 'data-tenant="oost-vlaanderen"' in body
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in body  # nothing inline


async def test_demo_page_drops_a_municipality_that_is_not_a_name(client):
    body = await (await client.get("/demo", params={
        "municipality": '"><script>alert(1)</script>'})).text()
    assert "alert" not in body and 'data-municipality=""' in body
    assert "<h1>Ondernemen in je gemeente</h1>" in body


async def test_widget_assets_and_dutch_texts_are_served_to_any_site(client):
    texts = await client.get("/api/widget/texts", headers={"Origin": "https://elders.be"})
    data = await texts.json()
    assert texts.headers["Access-Control-Allow-Origin"] == "*"
    assert data["send"] == "Versturen" and "{municipality}" in data["greeting_municipality"]
    for asset in ("/static/widget.js", "/static/widget.css"):
        assert (await client.get(asset)).status == 200


# -- feedback ----------------------------------------------------------------------------

VOTE = {"conversation_id": CONVERSATION,
        "message_id": bot_message_id(CONVERSATION, ANSWER_AT, ANSWER_TEXT), "vote": "down",
        "topic": "terrasvergunning", "municipality": "Aalst", "tenant": "oost-vlaanderen"}


async def test_a_vote_is_stored_with_topic_municipality_and_tenant(client, feedback_db):
    response = await client.post("/api/feedback", json=VOTE)
    assert response.status == 200
    again = await client.post("/api/feedback", json=VOTE)  # a retry is harmless
    assert again.status == 200
    flipped = await client.post("/api/feedback", json={**VOTE, "vote": "up"})  # once only
    assert flipped.status == 409
    [stored] = FeedbackStore(feedback_db).all()
    assert (stored.vote, stored.topic, stored.municipality, stored.tenant) == \
        ("down", "terrasvergunning", "Aalst", "oost-vlaanderen")
    assert stored.at.endswith("+00:00")
    [score] = FeedbackStore(feedback_db).scores()
    assert (score.topic, score.up, score.down) == ("terrasvergunning", 0, 1)


async def test_made_up_topics_municipalities_and_tenants_are_stored_as_unknown(client,
                                                                            feedback_db):
    made_up = {**VOTE, "topic": "../../etc/passwd", "municipality": "Atlantis",
               "tenant": "hacker"}
    assert (await client.post("/api/feedback", json=made_up)).status == 200
    [stored] = FeedbackStore(feedback_db).all()  # the topic is the answer's own
    assert (stored.topic, stored.municipality, stored.tenant) == \
        ("terrasvergunning", None, None)


@pytest.mark.parametrize("bad", [{**VOTE, "vote": "meh"}, {**VOTE, "conversation_id": "x"},
                                 {**VOTE, "message_id": None}, ["not", "an", "object"]])
async def test_something_that_is_not_a_vote_is_refused(client, feedback_db, bad):
    response = await client.post("/api/feedback", json=bad)
    assert response.status == 400
    assert FeedbackStore(feedback_db).all() == []


async def test_feedback_from_an_unknown_site_is_refused_and_a_known_site_gets_cors(client,
                                                                                 feedback_db):
    foreign = await client.post("/api/feedback", json=VOTE,
                                headers={"Origin": "https://evil.example"})
    assert foreign.status == 403 and FeedbackStore(feedback_db).all() == []
    preflight = await client.options("/api/feedback", headers={
        "Origin": MUNICIPAL_SITE, "Access-Control-Request-Method": "POST"})
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == MUNICIPAL_SITE
    known = await client.post("/api/feedback", json=VOTE, headers={"Origin": MUNICIPAL_SITE})
    assert known.status == 200 and known.headers["Access-Control-Allow-Origin"] == MUNICIPAL_SITE


# -- socket.io relay ------------------------------------------------------------------------

async def test_socketio_frames_are_relayed_both_ways(client, rasa_server):
    fake, _ = rasa_server
    async with client.ws_connect("/socket.io/?EIO=4&transport=websocket") as ws:
        opened = await ws.receive_str(timeout=5)
        assert opened.startswith("0{")
        await ws.send_str("40")
        assert (await ws.receive_str(timeout=5)).startswith("40")
        await ws.send_str('42["user_uttered",{"message":"hallo"}]')
        assert json.loads((await ws.receive_str(timeout=5))[2:]) == ["bot_uttered",
                                                                   {"text": "Dag!"}]
    assert fake.frames == ["40", '42["user_uttered",{"message":"hallo"}]']


async def test_socketio_relay_refuses_foreign_pages_and_long_polling(client, rasa_server):
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/socket.io/?EIO=4&transport=websocket",
                                headers={"Origin": "https://evil.example"})
    assert refused.value.status == 403
    polling = await client.get("/socket.io/", params={"EIO": "4", "transport": "polling"})
    assert polling.status == 400
    allowed = await client.ws_connect("/socket.io/?EIO=4&transport=websocket",
                                      headers={"Origin": MUNICIPAL_SITE})
    assert (await allowed.receive_str(timeout=5)).startswith("0{")
    await allowed.close()
    assert rasa_server[0].frames == []


async def test_socketio_relay_says_bad_gateway_when_rasa_is_down(aiohttp_client, feedback_db,
                                                                 unused_tcp_port):
    app = create_app(WebConfig(rasa_url=f"http://127.0.0.1:{unused_tcp_port}"))
    client = await aiohttp_client(app)
    with pytest.raises(aiohttp.WSServerHandshakeError) as failed:
        await client.ws_connect("/socket.io/?EIO=4&transport=websocket")
    assert failed.value.status == 502


async def test_a_flood_of_frames_closes_the_connection(client, rasa_server):
    async with client.ws_connect("/socket.io/?EIO=4&transport=websocket") as ws:
        await ws.receive_str(timeout=5)
        for _ in range(60):
            await ws.send_str("3")
        closed = await asyncio.wait_for(ws.receive(), 5)
        while closed.type == WSMsgType.TEXT:
            closed = await asyncio.wait_for(ws.receive(), 5)
        assert closed.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
    assert len(rasa_server[0].frames) <= 40


# -- messaging webhooks relay ----------------------------------------------------------------

async def test_messaging_webhooks_reach_rasa_unchanged(client, rasa_server):
    fake, _ = rasa_server
    body = b'{"update_id": 1}'
    response = await client.post("/webhooks/telegram/webhook", data=body, headers={
        "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "s3cret",
        "Cookie": "olk_session=abc"})
    assert response.status == 200
    [(channel, received, headers)] = fake.webhooks
    assert (channel, received) == ("telegram", body)
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret" and "Cookie" not in headers
    assert (await client.post("/webhooks/rest/webhook", json={})).status in (404, 405)
