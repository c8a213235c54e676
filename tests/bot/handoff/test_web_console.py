"""Officer console over HTTP: log-in, authorisation per counter, CSRF, escaping, lock-out."""

from __future__ import annotations

import pytest

from bot.handoff.web.auth import SESSION_COOKIE
from bot.handoff.web.services import HOLDER_KEY
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.handoff.conftest import PASSWORD, FakeRasa, new_request
from tests.bot.handoff.web_helpers import SERVICE_TOKEN, hub, login, login_ok
from tests.web.test_chat import FakeRasa as FakeChat

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture()
def rasa_api() -> FakeRasa:
    return FakeRasa()


@pytest.fixture()
async def client(aiohttp_client, monkeypatch, tmp_path, rasa_api):
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", SERVICE_TOKEN)
    app = create_app(WebConfig(), rasa=FakeChat())  # type: ignore[arg-type]
    app[HOLDER_KEY].tracker_api = rasa_api
    client = await aiohttp_client(app)
    officers = hub(client).officers
    await officers.create("sofie", PASSWORD, ["aalst"], display_name="Sofie")
    await officers.create("piet", PASSWORD, ["gent"], display_name="Piet")
    return client


async def queued(client, conversation="conv-aalst", counter="aalst", **extra):
    request, _token = await hub(client).requests.create(
        new_request(conversation, counter, **extra), "live")
    return request


async def test_console_requires_login(client):
    response = await client.get("/officer/", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/officer/login"
    assert (await client.get("/officer/fragments/queue")).status == 401
    assert (await client.get("/officer/events")).status == 401


async def test_session_cookie_is_httponly_strict_and_scoped(client):
    response = await login(client, "sofie")
    cookie = response.cookies[SESSION_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == "/officer"


async def test_officer_sees_only_the_queues_of_their_counters(client):
    await queued(client, "conv-a", "aalst", summary="terras aan de Grote Markt")
    await queued(client, "conv-g", "gent", summary="marktkraam op de Vrijdagmarkt")
    await login_ok(client, "sofie")
    page = await (await client.get("/officer/")).text()
    assert "terras aan de Grote Markt" in page
    assert "Vrijdagmarkt" not in page


async def test_officer_of_counter_a_gets_403_for_counter_b(client, rasa_api):
    other = await queued(client, "conv-g", "gent")
    csrf = await login_ok(client, "sofie")
    base = f"/officer/requests/{other.id}"
    assert (await client.get(base)).status == 403
    assert (await client.get(base + "/fragments/transcript")).status == 403
    for action in ("take", "reply", "handback", "close"):
        response = await client.post(f"{base}/{action}", data={"csrf": csrf, "text": "hoi"},
                                     allow_redirects=False)
        assert response.status == 403, action
    assert (await hub(client).requests.get(other.id)).status == "queued"
    assert rasa_api.appended == [] and rasa_api.executed == []


async def test_post_without_or_with_a_wrong_csrf_token_is_rejected(client):
    request = await queued(client)
    csrf = await login_ok(client, "sofie")
    url = f"/officer/requests/{request.id}/take"
    for data in ({}, {"csrf": "wrong"}, {"csrf": csrf[:-1]}):
        assert (await client.post(url, data=data, allow_redirects=False)).status == 403
    assert (await hub(client).requests.get(request.id)).status == "queued"
    response = await client.post(url, data={"csrf": csrf}, allow_redirects=False)
    assert response.status == 303
    assert (await hub(client).requests.get(request.id)).status == "taken"


async def test_login_form_needs_its_csrf_token(client):
    response = await client.post("/officer/login", allow_redirects=False,
                                 data={"name": "sofie", "password": PASSWORD})
    assert response.status == 403 and SESSION_COOKIE not in response.cookies


async def test_owner_text_is_escaped_in_queue_and_conversation(client, rasa_api):
    request = await queued(client, summary=XSS, municipality=XSS)
    rasa_api.trackers["conv-aalst"] = {"paused": True, "slots": {"municipality": XSS},
                                       "events": [{"event": "user", "text": XSS}]}
    await login_ok(client, "sofie")
    pages = [await (await client.get(url)).text() for url in (
        "/officer/", "/officer/fragments/queue", f"/officer/requests/{request.id}",
        f"/officer/requests/{request.id}/fragments/transcript")]
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


async def test_console_pages_have_no_inline_script(client):
    request = await queued(client)
    await login_ok(client, "sofie")
    for url in ("/officer/", f"/officer/requests/{request.id}", "/officer/login"):
        response = await client.get(url)
        html = await response.text()
        assert "<script>" not in html and " on" + "click=" not in html
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


async def test_five_wrong_passwords_lock_the_account(client):
    for _ in range(5):
        response = await login(client, "sofie", "fout-wachtwoord-123")
        assert response.status == 401
        assert "mislukte pogingen" in await response.text()
    response = await login(client, "sofie")
    assert response.status == 401 and SESSION_COOKIE not in response.cookies
    audit = [e.action for e in await hub(client).audit.entries()]
    assert audit.count("login_invalid") == 4 and audit.count("login_locked") == 2


async def test_logout_ends_the_session_and_availability(client):
    csrf = await login_ok(client, "sofie")
    assert await hub(client).officers.available("aalst", 120)
    response = await client.post("/officer/logout", data={"csrf": csrf}, allow_redirects=False)
    assert response.status == 303
    assert (await client.get("/officer/", allow_redirects=False)).status == 303
    assert not await hub(client).officers.available("aalst", 120)


async def test_take_reply_hand_back_through_the_console(client, rasa_api):
    request = await queued(client)
    csrf = await login_ok(client, "sofie")
    base = f"/officer/requests/{request.id}"
    taken = await client.post(base + "/take", data={"csrf": csrf}, allow_redirects=False)
    assert taken.headers["Location"] == base + "?notice=taken"
    page = await (await client.get(base)).text()
    assert 'name="text"' in page and "Teruggeven aan de assistent" in page
    await client.post(base + "/reply", data={"csrf": csrf, "text": "Ik help je verder."})
    back = await client.post(base + "/handback", data={"csrf": csrf}, allow_redirects=False)
    assert back.headers["Location"] == "/officer/?notice=handed_back"
    assert rasa_api.executed[-1] == ("conv-aalst", "action_handoff_back")
    assert (await hub(client).requests.get(request.id)).status == "returned"
    audit = {(e.action, e.target) for e in await hub(client).audit.entries()}
    assert {("take", request.reference), ("reply", request.reference),
            ("hand_back", request.reference)} <= audit


async def test_rasa_down_when_handing_back_shows_a_notice_and_keeps_the_conversation(
        client, rasa_api):
    request = await queued(client)
    csrf = await login_ok(client, "sofie")
    base = f"/officer/requests/{request.id}"
    await client.post(base + "/take", data={"csrf": csrf})
    rasa_api.down = True
    response = await client.post(base + "/handback", data={"csrf": csrf})
    assert "niet bereikbaar" in await response.text()
    assert (await hub(client).requests.get(request.id)).status == "taken"
