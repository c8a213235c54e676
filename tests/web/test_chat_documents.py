"""The owner adds a document from the chat page: the web app streams it to a real dossier
service (SQLite), bound to the owner's conversation (the session cookie) and to the dossier the
assistant offered the upload for; every bad file gets its Dutch message and nothing is stored."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

from bot.dossiers.service.app import create_dossier_app
from bot.dossiers.service.sqlite_storage import SqliteStorage
from bot.paths import DEFAULT_CONTENT_DIR
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from bot.webcore.owner_session import SESSION_COOKIE
from tests.bot import document_files as files
from tests.bot.dossier_fixtures import GENT_OFFICER, OFFICERS, SERVICE_TOKEN, submission

TEXTS = yaml.safe_load((DEFAULT_CONTENT_DIR / "dossier_documents.yml").read_text("utf-8"))


class FakeRasa:
    """Rasa's tracker as the web app reads it: the slots the action server set."""

    def __init__(self) -> None:
        self.events_by_sender: dict[str, list[dict[str, Any]]] = {}

    async def send(self, sender: str, text: str, metadata: dict[str, Any] | None = None):
        return []

    async def events(self, sender: str) -> list[dict[str, Any]]:
        return self.events_by_sender.get(sender, [])


@pytest.fixture()
async def service(tmp_path):
    storage = SqliteStorage(tmp_path / "dossiers.sqlite3")
    client = TestClient(TestServer(create_dossier_app(storage, OFFICERS,
                                                      service_token=SERVICE_TOKEN)))
    await client.start_server()
    yield client
    await client.close()
    await storage.close()


@pytest.fixture()
async def chat(aiohttp_client, monkeypatch, service):
    monkeypatch.setenv("DOSSIER_SERVICE_URL", str(service.make_url("")).rstrip("/"))
    monkeypatch.setenv("DOSSIER_SERVICE_TOKEN", SERVICE_TOKEN)
    rasa = FakeRasa()
    client = await aiohttp_client(create_app(WebConfig(), rasa=rasa))  # type: ignore[arg-type]
    await client.get("/")
    client.rasa = rasa  # type: ignore[attr-defined]
    client.sid = client.session.cookie_jar.filter_cookies(  # type: ignore[attr-defined]
        client.make_url("/"))[SESSION_COOKIE].value
    return client


async def dossier(service: TestClient, conversation: str) -> str:
    response = await service.post("/api/dossiers", json=submission(conversation_id=conversation),
                                  headers={"Authorization": f"Bearer {SERVICE_TOKEN}",
                                           "Idempotency-Key": f"key-{conversation[:20]}"})
    assert response.status == 201
    return str((await response.json())["reference"])


def offer(chat: TestClient, reference: str) -> None:
    chat.rasa.events_by_sender[chat.sid] = [  # type: ignore[attr-defined]
        {"event": "user", "text": "status"},
        {"event": "slot", "name": "dossier_document_reference", "value": reference}]


async def send(chat: TestClient, data, name: str = "plan.pdf") -> tuple[int, dict]:
    response = await chat.post("/api/chat/documents", data=data,
                               headers={"X-Document-Name": quote(name)})
    return response.status, await response.json()


async def stored(service: TestClient, reference: str) -> list[dict]:
    response = await service.get(f"/api/dossiers/{reference}/documents",
                                 headers={"Authorization": f"Bearer {GENT_OFFICER}"})
    return (await response.json())["attachments"]


async def test_the_owner_adds_a_photo_to_their_own_dossier(chat, service):
    reference = await dossier(service, chat.sid)
    offer(chat, reference)
    status, body = await send(chat, files.jpeg_with_gps(), "terras foto.jpg")
    assert status == 201 and body["ok"] is True
    assert body["message"] == TEXTS["added"].replace("{filename}", "terras foto.jpg") \
        .replace("{reference}", reference)
    assert [a["filename"] for a in await stored(service, reference)] == ["terras foto.jpg"]


@pytest.mark.parametrize(("make", "key"), [
    (files.renamed_exe, "unsupported_type"),
    (files.truncated_png, "damaged"),
    (files.thirty_megabytes, "too_large"),
    (files.pdf_with_javascript, "pdf_active_content"),
    (files.png_zip_polyglot, "polyglot"),
    (files.png_bomb, "too_many_pixels"),
])
async def test_bad_files_get_their_dutch_message_and_nothing_is_stored(chat, service, make, key):
    reference = await dossier(service, chat.sid)
    offer(chat, reference)
    status, body = await send(chat, make())
    assert status in (413, 422) and body["ok"] is False
    assert body["message"] == TEXTS[key]
    assert "bewaard" in body["message"] or key == "unsupported_type"
    assert await stored(service, reference) == []


async def test_without_an_offered_dossier_nothing_is_sent(chat, service):
    reference = await dossier(service, chat.sid)
    status, body = await send(chat, files.pdf())
    assert status == 409 and body["message"] == TEXTS["no_dossier"]
    assert await stored(service, reference) == []


async def test_another_owners_dossier_is_refused_by_the_service(chat, service):
    """Even if the tracker named someone else's dossier, the service checks the conversation."""
    theirs = await dossier(service, "conv-someone-else-0001")
    offer(chat, theirs)
    status, body = await send(chat, files.pdf())
    assert status == 409 and body["message"] == TEXTS["no_dossier"]
    assert await stored(service, theirs) == []


async def test_uploads_need_the_session_and_the_custom_header(chat, service, aiohttp_client):
    reference = await dossier(service, chat.sid)
    offer(chat, reference)
    plain = await chat.post("/api/chat/documents", data=files.pdf())  # a plain form post
    assert plain.status == 403
    cross = await chat.post("/api/chat/documents", data=files.pdf(),
                            headers={"X-Document-Name": "a.pdf", "Sec-Fetch-Site": "cross-site"})
    assert cross.status == 403
    chat.session.cookie_jar.clear()
    anonymous = await chat.post("/api/chat/documents", data=files.pdf(),
                                headers={"X-Document-Name": "a.pdf"})
    assert anonymous.status == 403
    assert await stored(service, reference) == []


WIDGET_SECRET = "widget-secret-" + "w" * 24
SITE = "https://www.aalst.example.be"


@pytest.fixture()
async def widget(aiohttp_client, monkeypatch, service):
    monkeypatch.setenv("DOSSIER_SERVICE_URL", str(service.make_url("")).rstrip("/"))
    monkeypatch.setenv("DOSSIER_SERVICE_TOKEN", SERVICE_TOKEN)
    monkeypatch.setenv("WIDGET_SESSION_SECRET", WIDGET_SECRET)
    monkeypatch.setenv("WIDGET_ALLOWED_ORIGINS", SITE)
    rasa = FakeRasa()
    client = await aiohttp_client(create_app(WebConfig(), rasa=rasa))  # type: ignore[arg-type]
    client.rasa = rasa  # type: ignore[attr-defined]
    return client


async def test_the_widget_uploads_for_its_signed_conversation_from_an_allowed_site(widget,
                                                                                   service):
    from connectors.widget import ConversationIds

    conversation = ConversationIds(WIDGET_SECRET).new()
    reference = await dossier(service, conversation)
    widget.rasa.events_by_sender[conversation] = [
        {"event": "slot", "name": "dossier_document_reference", "value": reference}]
    preflight = await widget.options("/api/widget/documents", headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST"})
    assert preflight.status == 204
    assert "X-Conversation-Id" in preflight.headers["Access-Control-Allow-Headers"]
    headers = {"Origin": SITE, "X-Conversation-Id": conversation,
               "X-Document-Name": quote("plan.pdf")}
    response = await widget.post("/api/widget/documents", data=files.pdf(), headers=headers)
    assert response.status == 201
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert (await response.json())["ok"] is True
    bad = await widget.post("/api/widget/documents", data=files.png_zip_polyglot(),
                            headers=headers)
    assert (await bad.json())["message"] == TEXTS["polyglot"]
    assert [a["filename"] for a in await stored(service, reference)] == ["plan.pdf"]


async def test_the_widget_route_refuses_made_up_ids_and_other_sites(widget, service):
    from connectors.widget import ConversationIds

    forged = ConversationIds("another-secret-" + "x" * 20).new()
    reference = await dossier(service, forged)
    widget.rasa.events_by_sender[forged] = [
        {"event": "slot", "name": "dossier_document_reference", "value": reference}]
    made_up = await widget.post("/api/widget/documents", data=files.pdf(), headers={
        "Origin": SITE, "X-Conversation-Id": forged, "X-Document-Name": "a.pdf"})
    assert made_up.status == 403
    real = ConversationIds(WIDGET_SECRET).new()
    elsewhere = await widget.post("/api/widget/documents", data=files.pdf(), headers={
        "Origin": "https://evil.example", "X-Conversation-Id": real, "X-Document-Name": "a.pdf"})
    assert elsewhere.status == 403
    assert await stored(service, reference) == []


async def test_the_widget_says_which_requested_document_and_counts_against_the_upload_limit(
        aiohttp_client, monkeypatch, service):
    from connectors.widget import ConversationIds

    monkeypatch.setenv("DOSSIER_SERVICE_URL", str(service.make_url("")).rstrip("/"))
    monkeypatch.setenv("DOSSIER_SERVICE_TOKEN", SERVICE_TOKEN)
    monkeypatch.setenv("WIDGET_SESSION_SECRET", WIDGET_SECRET)
    monkeypatch.setenv("WIDGET_ALLOWED_ORIGINS", SITE)
    monkeypatch.setenv("UPLOAD_CONVERSATION_RATE_LIMIT", "2/600")
    rasa = FakeRasa()
    widget = await aiohttp_client(create_app(WebConfig(), rasa=rasa))  # type: ignore[arg-type]
    conversation = ConversationIds(WIDGET_SECRET).new()
    reference = await dossier(service, conversation)
    rasa.events_by_sender[conversation] = [
        {"event": "slot", "name": "dossier_document_reference", "value": reference}]
    preflight = await widget.options("/api/widget/documents", headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST"})
    assert "X-Requested-Document" in preflight.headers["Access-Control-Allow-Headers"]
    headers = {"Origin": SITE, "X-Conversation-Id": conversation, "X-Document-Name": "plan.pdf"}
    plan = await widget.post("/api/widget/documents", data=files.pdf(),
                             headers={**headers, "X-Requested-Document": "terrace_plan"})
    assert plan.status == 201 and (await plan.json())["ok"] is True
    other = await widget.post("/api/widget/documents", data=files.png(), headers=headers)
    assert other.status == 201
    third = await widget.post("/api/widget/documents", data=files.pdf(), headers=headers)
    assert third.status == 429
    assert third.headers["Access-Control-Allow-Origin"] == SITE  # the widget reads the text
    assert (await third.json())["message"]
    assert [(a["filename"], a["requested_key"]) for a in await stored(service, reference)] == [
        ("plan.pdf", "terrace_plan"), ("plan.png", None)]
