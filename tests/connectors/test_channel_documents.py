"""A photo or PDF the owner sends on Telegram or WhatsApp lands in their dossier: the channel's
webhook gets the real payload, the file comes from the channel's API (a local aiohttp server
standing in for Telegram's Bot API and Twilio's media URLs, no network), and it goes through
the real dossier service (SQLite) and its file checks, exactly like the web chat's upload. Bad
files are refused with the same Dutch texts and nothing is stored; without a known dossier the
owner is told to look it up first and nothing is downloaded. Teams cannot take files."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from twilio.request_validator import RequestValidator

from bot.dossiers.client.owner_upload import UploadTarget
from bot.dossiers.service.app import create_dossier_app
from bot.dossiers.service.sqlite_storage import SqliteStorage
from bot.paths import DEFAULT_CONTENT_DIR
from connectors import twilio_whatsapp
from connectors.botframework import TeamsWebhookInput
from connectors.documents import ChannelDocuments
from connectors.messaging import ChannelHttpClient
from connectors.telegram import TelegramInput
from connectors.twilio_whatsapp import TwilioWhatsAppInput
from tests.bot import document_files as files
from tests.bot.dossier_fixtures import GENT_OFFICER, OFFICERS, SERVICE_TOKEN, submission
from tests.connectors.harness import FakeAgent, serve
from tests.connectors.test_botframework import SECURITY_TOKEN, sign

TEXTS = yaml.safe_load((DEFAULT_CONTENT_DIR / "dossier_documents.yml").read_text("utf-8"))
BOT_TOKEN = "123456:bot-token"
SECRET = "telegram-secret-123"
ACCOUNT = "AC" + "1" * 32
AUTH_TOKEN = "twilio-auth-token"
PUBLIC_URL = "https://loket.example.be/webhooks/twilio_whatsapp/webhook"
TG_SENDER, WA_SENDER = "tg-4242", "wa-32470123456"


@dataclass
class ChannelApi:
    """Telegram's Bot API and Twilio's media URLs on a local port; records every call."""

    files: dict[str, bytes] = field(default_factory=dict)
    calls: list[tuple[str, Any]] = field(default_factory=list)
    base: str = ""

    def sent(self) -> list[str]:
        return [str(body.get("text") or body.get("Body"))
                for method, body in self.calls if method in ("sendMessage", "Messages.json")]

    def downloads(self) -> list[str]:
        return [path for method, path in self.calls if method == "download"]

    async def get_file(self, request: web.Request) -> web.Response:
        assert request.match_info["token"] == BOT_TOKEN
        file_id = (await request.json())["file_id"]
        self.calls.append(("getFile", file_id))
        if file_id not in self.files:
            return web.json_response({"ok": False, "description": "file not found"}, status=400)
        return web.json_response({"ok": True, "result": {
            "file_id": file_id, "file_size": len(self.files[file_id]),
            "file_path": f"documents/{file_id}.bin"}})

    async def telegram_file(self, request: web.Request) -> web.Response:
        assert request.match_info["token"] == BOT_TOKEN
        self.calls.append(("download", request.path))
        return web.Response(body=self.files[request.match_info["file_id"]])

    async def send_message(self, request: web.Request) -> web.Response:
        self.calls.append(("sendMessage", await request.json()))
        return web.json_response({"ok": True})

    async def twilio_media(self, request: web.Request) -> web.Response:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{AUTH_TOKEN}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return web.Response(status=401)
        self.calls.append(("download", request.path))
        return web.Response(body=self.files[request.match_info["media"]],
                            content_type="image/jpeg")

    async def twilio_send(self, request: web.Request) -> web.Response:
        self.calls.append(("Messages.json", dict(await request.post())))
        return web.json_response({"sid": "SM1"})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/bot{token}/getFile", self.get_file)
        app.router.add_post("/bot{token}/sendMessage", self.send_message)
        app.router.add_get("/file/bot{token}/documents/{file_id}.bin", self.telegram_file)
        app.router.add_get(f"/2010-04-01/Accounts/{ACCOUNT}/Messages/{{message}}/Media/{{media}}",
                           self.twilio_media)
        app.router.add_post(f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json", self.twilio_send)
        return app


@pytest.fixture()
async def service(tmp_path) -> AsyncIterator[TestClient]:
    storage = SqliteStorage(tmp_path / "dossiers.sqlite3")
    client = TestClient(TestServer(create_dossier_app(storage, OFFICERS,
                                                      service_token=SERVICE_TOKEN)))
    await client.start_server()
    yield client
    await client.close()
    await storage.close()


@pytest.fixture()
async def api(monkeypatch) -> AsyncIterator[ChannelApi]:
    fake = ChannelApi()
    server = TestServer(fake.app())
    await server.start_server()
    fake.base = str(server.make_url("")).rstrip("/")
    monkeypatch.setattr(twilio_whatsapp, "API", f"{fake.base}/2010-04-01")  # replies
    yield fake
    await server.close()


@pytest.fixture()
def documents(service) -> ChannelDocuments:
    return ChannelDocuments(UploadTarget(str(service.make_url("")).rstrip("/"), SERVICE_TOKEN),
                            DEFAULT_CONTENT_DIR)


async def dossier(service: TestClient, conversation: str) -> str:
    response = await service.post("/api/dossiers", json=submission(conversation_id=conversation),
                                  headers={"Authorization": f"Bearer {SERVICE_TOKEN}",
                                           "Idempotency-Key": f"key-{conversation}-0001"})
    assert response.status == 201
    return str((await response.json())["reference"])


async def stored(service: TestClient, reference: str) -> list[dict[str, Any]]:
    response = await service.get(f"/api/dossiers/{reference}/documents",
                                 headers={"Authorization": f"Bearer {GENT_OFFICER}"})
    return list((await response.json())["attachments"])


def offered(agent: FakeAgent, sender: str, reference: str) -> None:
    """What the action server left in the tracker after the submission or the e-mail check."""
    agent.tracker(sender).slots["dossier_document_reference"] = reference


def added(reference: str, filename: str) -> str:
    return TEXTS["added"].replace("{filename}", filename).replace("{reference}", reference)


# --- Telegram ------------------------------------------------------------------------------------

def telegram(api: ChannelApi, documents: ChannelDocuments) -> TelegramInput:
    return TelegramInput(BOT_TOKEN, SECRET, client=ChannelHttpClient(), api_url=api.base,
                         documents=documents)


def document_update(file_id: str, name: str, update_id: int = 1, size: int = 100
                    ) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": 9, "date": int(time.time()), "caption": "mijn plan",
        "chat": {"id": 4242, "type": "private"}, "from": {"id": 4242, "is_bot": False},
        "document": {"file_id": file_id, "file_unique_id": "u" + file_id, "file_name": name,
                     "mime_type": "application/pdf", "file_size": size}}}


def photo_update(file_id: str, update_id: int = 2) -> dict[str, Any]:
    sizes = [{"file_id": f"{file_id}-small", "file_unique_id": "s", "width": 90, "height": 67,
              "file_size": 1200},
             {"file_id": file_id, "file_unique_id": "l", "width": 1280, "height": 960,
              "file_size": 90000}]
    return {"update_id": update_id, "message": {
        "message_id": 10, "date": int(time.time()), "photo": sizes,
        "chat": {"id": 4242, "type": "private"}, "from": {"id": 4242, "is_bot": False}}}


async def post_telegram(base: str, update: dict[str, Any]) -> int:
    async with aiohttp.ClientSession() as session, session.post(
            f"{base}/webhooks/telegram/webhook", json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
        return response.status


async def test_a_pdf_sent_on_telegram_lands_in_the_dossier(api, service, documents) -> None:
    reference = await dossier(service, TG_SENDER)
    agent = FakeAgent()
    offered(agent, TG_SENDER, reference)
    api.files["plan1"] = files.pdf()
    async with serve(telegram(api, documents), agent) as base:
        assert await post_telegram(base, document_update("plan1", "plan terras.pdf")) == 200
    assert [a["filename"] for a in await stored(service, reference)] == ["plan terras.pdf"]
    assert api.sent() == [added(reference, "plan terras.pdf")]
    assert agent.received == []  # a file is not a message for the bot (its caption neither)


async def test_a_telegram_photo_is_taken_in_its_largest_size_without_metadata(
        api, service, documents) -> None:
    reference = await dossier(service, TG_SENDER)
    agent = FakeAgent()
    offered(agent, TG_SENDER, reference)
    api.files["photo1"] = files.jpeg_with_gps()
    async with serve(telegram(api, documents), agent) as base:
        assert await post_telegram(base, photo_update("photo1")) == 200
    assert api.downloads() == [f"/file/bot{BOT_TOKEN}/documents/photo1.bin"]
    [photo] = await stored(service, reference)
    assert photo["content_type"] == "image/jpeg" and photo["filename"] == "document.jpg"
    body = await (await service.get(
        f"/api/dossiers/{reference}/documents/{photo['id']}",
        headers={"Authorization": f"Bearer {GENT_OFFICER}"})).read()
    assert b"GPS" not in body and b"Exif" not in body  # re-encoded by the service's checks
    assert api.sent() == [added(reference, "document.jpg")]


@pytest.mark.parametrize(("make", "key"), [
    (files.renamed_exe, "unsupported_type"),
    (files.pdf_with_javascript, "pdf_active_content"),
    (files.png_zip_polyglot, "polyglot"),
    (files.truncated_png, "damaged"),
    (files.png_bomb, "too_many_pixels"),
])
async def test_bad_files_on_telegram_are_refused_and_nothing_is_stored(
        api, service, documents, make, key) -> None:
    reference = await dossier(service, TG_SENDER)
    agent = FakeAgent()
    offered(agent, TG_SENDER, reference)
    api.files["bad"] = make()
    async with serve(telegram(api, documents), agent) as base:
        assert await post_telegram(base, document_update("bad", "plan.pdf")) == 200
    assert api.sent() == [TEXTS[key]]
    assert await stored(service, reference) == []


async def test_a_file_over_10_mb_is_refused_before_downloading(api, service, documents) -> None:
    reference = await dossier(service, TG_SENDER)
    agent = FakeAgent()
    offered(agent, TG_SENDER, reference)
    api.files["big"] = files.thirty_megabytes()
    async with serve(telegram(api, documents), agent) as base:
        assert await post_telegram(base, document_update("big", "plan.pdf",
                                                         size=30 * 1024 * 1024)) == 200
    assert api.sent() == [TEXTS["too_large"]] and api.downloads() == []
    assert await stored(service, reference) == []


async def test_without_a_known_dossier_nothing_is_downloaded(api, service, documents) -> None:
    reference = await dossier(service, TG_SENDER)
    agent = FakeAgent()  # no submission or e-mail check in this conversation
    api.files["plan1"] = files.pdf()
    async with serve(telegram(api, documents), agent) as base:
        assert await post_telegram(base, document_update("plan1", "plan.pdf")) == 200
    assert api.sent() == [TEXTS["no_dossier"]]
    assert api.calls[:-1] == [] and await stored(service, reference) == []


async def test_another_conversation_cannot_add_to_the_dossier(api, service, documents) -> None:
    reference = await dossier(service, "conv-web-owner")  # submitted elsewhere, no grant here
    agent = FakeAgent()
    offered(agent, TG_SENDER, reference)
    api.files["plan1"] = files.pdf()
    async with serve(telegram(api, documents), agent) as base:
        assert await post_telegram(base, document_update("plan1", "plan.pdf")) == 200
    assert api.sent() == [TEXTS["no_dossier"]]
    assert await stored(service, reference) == []


async def test_a_file_telegram_cannot_give_is_not_received(api, service, documents) -> None:
    reference = await dossier(service, TG_SENDER)
    agent = FakeAgent()
    offered(agent, TG_SENDER, reference)
    async with serve(telegram(api, documents), agent) as base:  # getFile answers 400
        assert await post_telegram(base, document_update("gone", "plan.pdf")) == 200
    assert api.sent() == [TEXTS["not_received"]]
    assert await stored(service, reference) == []


async def test_a_replayed_file_update_is_taken_once(api, service, documents) -> None:
    reference = await dossier(service, TG_SENDER)
    agent = FakeAgent()
    offered(agent, TG_SENDER, reference)
    api.files["plan1"] = files.pdf()
    async with serve(telegram(api, documents), agent) as base:
        for _ in range(2):
            assert await post_telegram(base, document_update("plan1", "plan.pdf")) == 200
    assert len(await stored(service, reference)) == 1


# --- WhatsApp through Twilio --------------------------------------------------------------------

def whatsapp(api: ChannelApi, documents: ChannelDocuments) -> TwilioWhatsAppInput:
    return TwilioWhatsAppInput(ACCOUNT, AUTH_TOKEN, "+3225550000", PUBLIC_URL,
                               client=ChannelHttpClient(),
                               media_url_prefix=f"{api.base}/2010-04-01/",
                               documents=documents)


def media_form(api: ChannelApi, media: str, sid: str = "MM0001") -> dict[str, str]:
    return {"AccountSid": ACCOUNT, "MessageSid": sid, "From": "whatsapp:+32470123456",
            "To": "whatsapp:+3225550000", "Body": "", "NumMedia": "1",
            "MediaContentType0": "image/jpeg",
            "MediaUrl0": f"{api.base}/2010-04-01/Accounts/{ACCOUNT}/Messages/{sid}/Media/{media}"}


async def post_whatsapp(base: str, params: dict[str, str]) -> int:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL, params)
    async with aiohttp.ClientSession() as session, session.post(
            f"{base}/webhooks/twilio_whatsapp/webhook", data=params,
            headers={"X-Twilio-Signature": str(signature)}) as response:
        await response.read()
        return response.status


async def test_a_photo_sent_on_whatsapp_lands_in_the_dossier(api, service, documents) -> None:
    reference = await dossier(service, WA_SENDER)
    agent = FakeAgent()
    offered(agent, WA_SENDER, reference)
    api.files["ME1"] = files.jpeg_with_gps()
    async with serve(whatsapp(api, documents), agent) as base:
        assert await post_whatsapp(base, media_form(api, "ME1")) == 200
    [photo] = await stored(service, reference)
    assert photo["content_type"] == "image/jpeg"
    assert api.sent() == [added(reference, "document.jpg")]
    assert agent.received == []


async def test_a_renamed_program_on_whatsapp_is_refused(api, service, documents) -> None:
    reference = await dossier(service, WA_SENDER)
    agent = FakeAgent()
    offered(agent, WA_SENDER, reference)
    api.files["ME2"] = files.renamed_exe()
    async with serve(whatsapp(api, documents), agent) as base:
        assert await post_whatsapp(base, media_form(api, "ME2")) == 200
    assert api.sent() == [TEXTS["unsupported_type"]]
    assert await stored(service, reference) == []


async def test_whatsapp_media_from_elsewhere_is_never_fetched(api, service, documents) -> None:
    reference = await dossier(service, WA_SENDER)
    agent = FakeAgent()
    offered(agent, WA_SENDER, reference)
    api.files["ME1"] = files.pdf()
    params = {**media_form(api, "ME1"), "MediaUrl0": "http://169.254.169.254/latest/meta-data"}
    async with serve(whatsapp(api, documents), agent) as base:
        assert await post_whatsapp(base, params) == 200
    assert api.downloads() == [] and await stored(service, reference) == []


async def test_whatsapp_without_a_known_dossier(api, service, documents) -> None:
    agent = FakeAgent()
    api.files["ME1"] = files.pdf()
    async with serve(whatsapp(api, documents), agent) as base:
        assert await post_whatsapp(base, media_form(api, "ME1")) == 200
    assert api.sent() == [TEXTS["no_dossier"]] and api.downloads() == []


# --- Teams ---------------------------------------------------------------------------------------

async def test_teams_says_it_cannot_take_files(documents) -> None:
    from datetime import datetime, timezone

    sent = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "1Z"
    body = json.dumps({
        "type": "message", "id": "f1", "timestamp": sent, "text": "<at>Loket</at> mijn plan",
        "attachments": [{"contentType": "text/html", "content": "<div>mijn plan</div>"},
                        {"contentType": "image/*", "contentUrl": "https://example.org/x"}],
        "from": {"id": "29:1abc", "aadObjectId": "aad-123"},
        "conversation": {"id": "19:channel@thread.skype"}}).encode()
    agent = FakeAgent()
    async with serve(TeamsWebhookInput(SECURITY_TOKEN, documents=documents), agent) as base, \
            aiohttp.ClientSession() as session, session.post(
                f"{base}/webhooks/teams/webhook", data=body,
                headers={"Content-Type": "application/json", "Authorization": sign(body)}
            ) as response:
        reply = await response.json()
    assert reply["text"] == TEXTS["files_not_supported"] and agent.received == []


# --- which requested document, and the upload limit -----------------------------------------

async def test_a_file_is_taken_as_the_only_requested_document_still_missing(
        api, service, documents) -> None:
    """A terrace asks for a plan and a photo: with both missing a sent file stays unassigned;
    once the photo arrived (the web chat's photo button), the next file is taken as the plan."""
    reference = await dossier(service, TG_SENDER)
    agent = FakeAgent()
    offered(agent, TG_SENDER, reference)
    api.files["first"], api.files["second"] = files.pdf(), files.pdf(b"% plan\n")
    async with serve(telegram(api, documents), agent) as base:
        assert await post_telegram(base, document_update("first", "iets.pdf", 11)) == 200
        photo = await service.post(
            f"/api/dossiers/{reference}/documents", data=files.png(),
            headers={"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Conversation-Id": TG_SENDER,
                     "X-Document-Name": "gevel.png", "X-Requested-Document": "location_photo"})
        assert photo.status == 201
        assert await post_telegram(base, document_update("second", "plan.pdf", 12)) == 200
    assert [(a["filename"], a["requested_key"]) for a in await stored(service, reference)] == [
        ("iets.pdf", None), ("gevel.png", "location_photo"), ("plan.pdf", "terrace_plan")]
    assert api.sent() == [added(reference, "iets.pdf"), added(reference, "plan.pdf")]


async def test_files_past_the_upload_limit_are_refused_before_downloading(
        api, service) -> None:
    reference = await dossier(service, TG_SENDER)
    agent = FakeAgent()
    offered(agent, TG_SENDER, reference)
    documents = ChannelDocuments.from_env({
        "DOSSIER_SERVICE_URL": str(service.make_url("")).rstrip("/"),
        "DOSSIER_SERVICE_TOKEN": SERVICE_TOKEN, "UPLOAD_CONVERSATION_RATE_LIMIT": "2/600"})
    for n in range(3):
        api.files[f"f{n}"] = files.pdf(f"% {n}\n".encode())
    async with serve(telegram(api, documents), agent) as base:
        for n in range(3):
            assert await post_telegram(base, document_update(f"f{n}", f"d{n}.pdf", 20 + n)) == 200
    assert [a["filename"] for a in await stored(service, reference)] == ["d0.pdf", "d1.pdf"]
    assert api.sent()[-1] == TEXTS["rate_limited"]
    assert len(api.downloads()) == 2  # the third file was never fetched
    # another conversation has its own window
    assert await documents.limiter.hit(WA_SENDER)


def test_the_messaging_limit_is_the_web_uploads_setting_and_its_default() -> None:
    from bot.ratelimit import InMemoryRateLimiter, Limit
    from bot.web.public_limits import UPLOAD_CONVERSATION

    default = ChannelDocuments.from_env({})
    assert isinstance(default.limiter, InMemoryRateLimiter)
    assert default.limiter.limit == Limit.parse(UPLOAD_CONVERSATION.default) == Limit(10, 600)
    tuned = ChannelDocuments.from_env({UPLOAD_CONVERSATION.env: "3/60"})
    assert isinstance(tuned.limiter, InMemoryRateLimiter)
    assert tuned.limiter.limit == Limit(3, 60)
