"""Internal API for the action server, the owner's updates, and live events for officers."""

from __future__ import annotations

import asyncio

import pytest

from bot.handoff.web.services import HOLDER_KEY
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from bot.webcore.owner_session import SESSION_COOKIE as CHAT_COOKIE
from tests.bot.handoff.conftest import PASSWORD, FakeRasa
from tests.bot.handoff.web_helpers import bearer, hub, login_ok
from tests.web.test_chat import FakeRasa as FakeChat

BODY = {"conversation_id": "owner-conversation-1", "counter": "aalst",
        "counter_name": "Ondernemersloket Aalst", "counter_open": True, "municipality": "Aalst",
        "topic": "terrasvergunning", "topic_title": "Terrasvergunning",
        "summary": "Mag ik een terras zetten?"}


@pytest.fixture()
def rasa_api() -> FakeRasa:
    return FakeRasa()


@pytest.fixture()
async def client(aiohttp_client, monkeypatch, tmp_path, rasa_api):
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", "test-service-token-123")
    app = create_app(WebConfig(), rasa=FakeChat())  # type: ignore[arg-type]
    app[HOLDER_KEY].tracker_api = rasa_api
    client = await aiohttp_client(app)
    await hub(client).officers.create("sofie", PASSWORD, ["aalst"], display_name="Sofie")
    return client


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"},
                                     {"Authorization": "test-service-token-123"}])
async def test_internal_api_needs_the_service_token(client, headers):
    response = await client.post("/api/handoff/requests", json=BODY, headers=headers)
    assert response.status == 401


async def test_internal_api_refuses_everything_when_no_token_is_configured(
        aiohttp_client, monkeypatch, tmp_path):
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "h.sqlite3"))
    monkeypatch.delenv("HANDOFF_SERVICE_TOKEN", raising=False)
    client = await aiohttp_client(create_app(WebConfig(), rasa=FakeChat()))  # type: ignore[arg-type]
    response = await client.post("/api/handoff/requests", json=BODY,
                                 headers={"Authorization": "Bearer "})
    assert response.status == 401


async def test_callback_when_nobody_is_logged_in_then_queue_when_someone_is(client):
    response = await client.post("/api/handoff/requests", json=BODY, headers=bearer())
    first = await response.json()
    assert first["status"] == "callback" and first["reference"].startswith("HO-")
    await login_ok(client, "sofie")
    second = await (await client.post("/api/handoff/requests", headers=bearer(), json={
        **BODY, "conversation_id": "owner-conversation-2"})).json()
    assert second["status"] == "queued" and second["position"] == 1 and second["token"]


async def test_bad_input_is_a_400_not_a_crash(client):
    for body in ({**BODY, "counter": "../etc"}, {**BODY, "conversation_id": ""}, ["x"]):
        response = await client.post("/api/handoff/requests", json=body, headers=bearer())
        assert response.status == 400


async def test_contact_for_a_callback_is_validated_and_stored(client):
    created = await (await client.post("/api/handoff/requests", json=BODY,
                                       headers=bearer())).json()
    body = {"reference": created["reference"], "conversation_id": BODY["conversation_id"]}
    bad = await client.post("/api/handoff/contact", json={**body, "contact": "morgen"},
                            headers=bearer())
    assert bad.status == 422
    ok = await client.post("/api/handoff/contact", json={**body, "contact": "0470 12 34 56"},
                           headers=bearer())
    assert (await ok.json()) == {"kind": "phone"}
    stored = await hub(client).requests.by_reference(created["reference"])
    assert stored.contact == "+32470123456"
    stranger = await client.post("/api/handoff/contact", headers=bearer(), json={
        **body, "conversation_id": "someone-else", "contact": "a@b.be"})
    assert stranger.status == 404


async def test_owner_gets_officer_messages_on_the_chat_page_and_over_rest(client):
    await login_ok(client, "sofie")
    created = await (await client.post("/api/handoff/requests", json={
        **BODY, "conversation_id": "chat-session-abcdefghijkl"}, headers=bearer())).json()
    services = hub(client)
    request = await services.requests.by_reference(created["reference"])
    sofie = await services.officers.by_name("sofie")
    await services.takeover.take(sofie, request)
    await services.takeover.reply(sofie, await services.requests.get(request.id), "Dag!")

    client.session.cookie_jar.update_cookies({CHAT_COOKIE: "chat-session-abcdefghijkl"})
    updates = await (await client.get("/api/chat/updates")).json()
    assert updates["handoff"]["status"] == "taken"
    texts = [(m["author"], m["text"]) for m in updates["messages"]]
    assert texts == [("bot", "Sofie van het ondernemersloket is er nu bij."), ("officer", "Dag!")]
    assert updates["messages"][1]["label"] == "Sofie, medewerker van het loket"
    later = await (await client.get(f"/api/chat/updates?after={updates['last_id']}")).json()
    assert later["messages"] == []

    url = "/api/handoff/chat-session-abcdefghijkl/messages"
    assert (await client.get(url + "?token=wrong")).status == 404
    rest = await (await client.get(f"{url}?token={created['token']}")).json()
    assert [m["text"] for m in rest["messages"]][-1] == "Dag!"


async def test_chat_page_without_hand_off_gets_nothing(client):
    await client.get("/")
    assert (await (await client.get("/api/chat/updates")).json())["handoff"] is None


async def read_event(response) -> str:
    lines = []
    while True:
        line = (await asyncio.wait_for(response.content.readline(), 3)).decode()
        if line.startswith("event:") or line.startswith("data:"):
            lines.append(line.strip())
        if line == "\n" and lines:
            return "\n".join(lines)


async def test_new_requests_reach_the_console_live_for_that_counter_only(client):
    await hub(client).officers.create("piet", PASSWORD, ["gent"])
    await login_ok(client, "sofie")
    stream = await client.get("/officer/events")
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    await asyncio.sleep(0.05)
    hub(client).broker.publish("gent", {"type": "queue", "marker": "gent"})
    await client.post("/api/handoff/requests", json=BODY, headers=bearer())
    event = await read_event(stream)
    assert event.startswith("event: queue") and "gent" not in event
    stream.close()
