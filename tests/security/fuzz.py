"""Fuzzing our HTTP APIs in-process with hypothesis (issue 15): no input may get a 5xx.

Targets, each served for real on 127.0.0.1 inside this process:

* the web app (`bot.web.app.create_app`, a fake Rasa): /api/chat, /api/chat/history,
  /api/chat/feedback, /api/chat/reset, /api/chat/updates, /api/feedback, /api/handoff/*,
  /api/conversations/erase, /officer/login;
* Rasa's input channels on Sanic the way `rasa run` registers them, with a fake agent
  (tests/connectors/harness.py): the REST webhook (connectors/rest.py), Telegram, WhatsApp
  through Twilio and Teams, half of the inputs correctly signed so they get past the checks;
* the dossier service API (`bot.dossiers.service.app`) on a fresh SQLite store.

Inputs are requests (method, path, query, headers, body) built from a shape per endpoint with
arbitrary values, arbitrary JSON and arbitrary bytes; tokens, cookies and signatures are right
for part of them. The budget (`FUZZ_EXAMPLES`, inputs in total) is shared over the targets.

    python -m tests.security.fuzz          # make fuzz: FUZZ_EXAMPLES=100000
    pytest tests/security/test_fuzz.py     # a bounded run (FUZZ_EXAMPLES, default 300)
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from yarl import URL

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CI_EXAMPLES = 300
BATCH = 8  # inputs of one hypothesis example, sent at once
SERVICE_TOKEN = "fuzz-handoff-service-token-0123456789"
DOSSIER_TOKEN = "fuzz-dossier-service-token-0123456789"
DOSSIER_OFFICER = "fuzz-dossier-officer-token-0123456789"
TELEGRAM_SECRET = "fuzz-telegram-secret"
TWILIO_ACCOUNT = "AC" + "1" * 32
TWILIO_TOKEN = "fuzz-twilio-auth-token"
TWILIO_URL = "https://loket.example.be/webhooks/twilio_whatsapp/webhook"
TEAMS_TOKEN = base64.b64encode(b"fuzz-teams-outgoing-webhook-key-01").decode()
OFFICER_NAME, OFFICER_PASSWORD = "fuzzofficer", "een-lang-fuzz-wachtwoord-42"
CONVERSATION = "feedc0de" * 3


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


@dataclass
class Stats:
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    per_target: Counter[str] = field(default_factory=Counter)
    server_errors: list[tuple[str, Req, int, str]] = field(default_factory=list)
    client_errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def five_xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def report(self) -> str:
        lines = [f"fuzz: {self.sent} inputs sent in {self.seconds:.1f} s, "
                 f"{self.five_xx} got a 5xx",
                 "  per target: " + ", ".join(f"{k} {v}" for k, v in sorted(
                     self.per_target.items())),
                 "  statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(
                     self.statuses.items()))]
        if self.client_errors:
            lines.append(f"  not sent (client-side): {dict(self.client_errors)}")
        for target, req, status, text in self.server_errors[:10]:
            lines.append(f"  {status} {target}: {req.method} {req.path} {req.query!r} "
                         f"{req.headers!r} {req.body[:200]!r} -> {text[:200]!r}")
        return "\n".join(lines)


# --- value strategies --------------------------------------------------------------------------

HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
ANY_TEXT = st.text(max_size=60) | st.sampled_from(
    ["", " ", "/greet", "/request_human{\"nis\":\"44021\"}", "/restart", "<b>x</b>",
     "&lt;img src=x onerror=alert(1)&gt;", "an@voorbeeld.be", "0470 12 34 56", "Gent",
     "44021", "terrasvergunning", "\x00", "é" * 300, "a" * 5000, "../../etc/passwd",
     "' OR 1=1 --", "%00", "\ud7ff", "null", "[]", "{}"])
JSON_LEAF = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
             | ANY_TEXT)
JSON = st.recursive(JSON_LEAF, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(ANY_TEXT, inner, max_size=4), max_leaves=8)


def shaped(keys: Mapping[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict with some of the endpoint's own keys (good or arbitrary values) and extra ones."""
    values = {key: strategy | strategy | JSON_LEAF | JSON for key, strategy in keys.items()}
    return st.builds(lambda extra, own: {**extra, **own},
                     st.dictionaries(ANY_TEXT, JSON_LEAF, max_size=2),
                     st.fixed_dictionaries({}, optional=values))


def json_body(shape: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """Mostly JSON of the endpoint's shape; else any JSON, broken JSON or arbitrary bytes."""
    def encode(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, allow_nan=True).encode("utf-8", "replace")
    return st.one_of(shape.map(encode), shape.map(encode), shape.map(encode),
                     JSON.map(encode), shape.map(lambda v: encode(v)[:-1]),
                     st.binary(max_size=200), st.just(b""))


def form_body(shape: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[bytes]:
    def encode(value: dict[str, Any]) -> bytes:
        return urlencode({str(k): str(v) for k, v in value.items()}).encode()
    return st.one_of(shape.map(encode), shape.map(encode), st.binary(max_size=200))


CONTENT_TYPES = st.sampled_from(["application/json", "application/json; charset=utf-8",
                                 "text/plain", "application/x-www-form-urlencoded",
                                 "multipart/form-data; boundary=x", "", "application/json; x"])
QUERY = st.lists(st.tuples(ANY_TEXT, ANY_TEXT), max_size=3).map(tuple)
IDS = st.sampled_from([CONVERSATION, "conv-1", "x" * 129, "", "../x", "%2F", "null"]) | ANY_TEXT


def request(method: st.SearchStrategy[str], path: st.SearchStrategy[str],
            body: st.SearchStrategy[bytes], headers: st.SearchStrategy[dict[str, str]],
            query: st.SearchStrategy[tuple[tuple[str, str], ...]] = QUERY
            ) -> st.SearchStrategy[Req]:
    return st.builds(lambda m, p, q, h, b: Req(m, p, q, tuple(h.items()), b),
                     method, path, query, headers, body)


def mostly(usual: st.SearchStrategy[Any], rest: st.SearchStrategy[Any]
           ) -> st.SearchStrategy[Any]:
    """`usual` for about 80% of the inputs, else `rest` (`a | b` would be half and half)."""
    return st.tuples(st.integers(0, 9), usual, rest).map(lambda t: t[1] if t[0] < 8 else t[2])


def usually(good: str, others: list[str]) -> st.SearchStrategy[str]:
    """The right value for most inputs, else a wrong, empty or arbitrary one."""
    return mostly(st.just(good), st.sampled_from([*others, ""]) | HEADER_TEXT)


def headers(auth: list[str] | None = None, cookies: list[str] | None = None,
            content_type: str | None = "application/json",
            extra: Mapping[str, list[str]] | None = None,
            secret: tuple[str, str] | None = None) -> st.SearchStrategy[dict[str, str]]:
    """Headers of one input; the first of `auth` / `cookies` and the `secret` header's value
    are the ones that get in."""
    required: dict[str, st.SearchStrategy[str]] = {}
    if secret is not None:
        required[secret[0]] = usually(secret[1], ["wrong"])
    options: dict[str, st.SearchStrategy[str]] = {"X-Fuzz": HEADER_TEXT}
    if content_type:
        required["Content-Type"] = mostly(st.just(content_type), CONTENT_TYPES | HEADER_TEXT)
    if auth is not None:
        required["Authorization"] = usually(auth[0], auth[1:])
    if cookies is not None:
        required["Cookie"] = usually(cookies[0], cookies[1:])
    for name, values in (extra or {}).items():
        options[name] = st.sampled_from(values) | HEADER_TEXT
    return st.fixed_dictionaries(required, optional=options).map(
        lambda h: {k: v for k, v in h.items() if v})


def methods(*usual: str) -> st.SearchStrategy[str]:
    """The endpoint's own methods for most inputs, any method for the rest."""
    return mostly(st.sampled_from(usual), st.sampled_from(
        ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]))


# --- the servers -------------------------------------------------------------------------------

class FakeRasa:
    """The web app's Rasa: one answered conversation, every message answered."""

    def __init__(self) -> None:
        at = time.time()
        self.answer = [
            {"event": "user", "text": "mag ik een terras?", "timestamp": at - 1},
            {"event": "bot", "text": "Voor een terras heb je een vergunning nodig.",
             "timestamp": at, "data": {"custom": {"topic": "terrasvergunning"}},
             "metadata": {"message_id": "m-1"}}]

    async def events(self, sender: str) -> list[dict[str, Any]]:
        return self.answer if sender == CONVERSATION else []

    async def tracker(self, sender: str) -> dict[str, Any]:
        return {"events": await self.events(sender), "slots": {}, "paused": False}

    async def send(self, sender: str, text: str, metadata: Any = None) -> list[Any]:
        return [{"recipient_id": sender, "text": "Dag!", "custom": {"topic": None}}]

    async def append_events(self, *_: Any, **__: Any) -> None:
        return None

    async def execute(self, conversation_id: str, action: str) -> list[dict[str, Any]]:
        return []


class FakeChannelApi:
    """Telegram's and Twilio's APIs: record nothing, answer OK."""

    async def post(self, *_: Any, **__: Any) -> Any:
        return {"ok": True, "sid": "SM1"}


@contextlib.contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def cheap_passwords() -> Iterator[None]:
    """Argon2id with tiny cost parameters: the same code path, fast enough to fuzz."""
    from argon2 import PasswordHasher

    from bot.handoff import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    saved = passwords._hasher, passwords._dummy_hash
    passwords._hasher = lambda: cheap  # type: ignore[assignment]
    passwords._dummy_hash = lambda: cheap.hash("dummy-password-for-timing")  # type: ignore[assignment]
    try:
        yield
    finally:
        passwords._hasher, passwords._dummy_hash = saved  # type: ignore[assignment]


@dataclass
class Context:
    bases: dict[str, str] = field(default_factory=dict)
    owner_token: str = ""
    handoff_reference: str = ""
    dossier_reference: str = ""


@contextlib.asynccontextmanager
async def web_app(state: Path, ctx: Context) -> AsyncIterator[None]:
    from aiohttp.test_utils import TestServer

    from bot.handoff.requests import NewRequest
    from bot.handoff.web.services import HOLDER_KEY
    from bot.web.app import create_app
    from bot.webcore.config import WebConfig

    env = {"HANDOFF_DB": str(state / "handoff.sqlite3"),
           "FEEDBACK_DB": str(state / "feedback.sqlite3"), "HANDOFF_SERVICE_TOKEN": SERVICE_TOKEN,
           "RATE_LIMITS": "off", "INSIGHTS": "off", "PURGE_INTERVAL_SECONDS": "off",
           "INSIGHTS_DB_URL": f"sqlite:///{state / 'insights.sqlite3'}",
           "INSIGHTS_EVENTS_DB": str(state / "events.sqlite3"), "TRACKER_DB_URL":
           f"sqlite:///{state / 'trackers.sqlite3'}", "CONTENT_DIR": str(ROOT / "content")}
    with environment(env):
        fake = FakeRasa()
        app = create_app(WebConfig(), rasa=fake)  # type: ignore[arg-type]
        app[HOLDER_KEY].tracker_api = fake  # type: ignore[assignment]
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
    try:
        hub = app[HOLDER_KEY].services
        assert hub is not None
        await hub.officers.create(OFFICER_NAME, OFFICER_PASSWORD, ["gent"])
        outcome = await hub.service.submit(
            NewRequest(CONVERSATION, "gent", "Ondernemersloket Gent"), False)
        ctx.owner_token = outcome.owner_token or ""
        ctx.handoff_reference = outcome.reference or ""
        ctx.bases["web"] = str(server.make_url(""))
        yield
    finally:
        await server.close()


@contextlib.asynccontextmanager
async def dossier_service(state: Path, ctx: Context) -> AsyncIterator[None]:
    from aiohttp.test_utils import TestServer

    from bot.dossiers.service.app import create_dossier_app
    from bot.dossiers.service.sqlite_storage import SqliteStorage

    storage = SqliteStorage(state / "dossiers.sqlite3")
    await storage.migrate()
    app = create_dossier_app(storage, {DOSSIER_OFFICER: ["*"]}, service_token=DOSSIER_TOKEN)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        ctx.bases["dossiers"] = str(server.make_url(""))
        async with aiohttp.ClientSession() as session, session.post(
                server.make_url("/api/dossiers"), json=DOSSIER_SUBMISSION,
                headers={"Authorization": f"Bearer {DOSSIER_TOKEN}",
                         "Idempotency-Key": "fuzz-seed-0001"}) as response:
            if response.status == 201:
                ctx.dossier_reference = str((await response.json()).get("reference") or "")
        yield
    finally:
        await server.close()
        await storage.close()


@contextlib.asynccontextmanager
async def channels(ctx: Context) -> AsyncIterator[None]:
    from connectors.botframework import TeamsWebhookInput
    from connectors.rest import ContractRestInput
    from connectors.telegram import TelegramInput
    from connectors.twilio_whatsapp import TwilioWhatsAppInput
    from tests.connectors.harness import FakeAgent, serve

    api = FakeChannelApi()
    buttons = [{"title": "Terrasvergunning", "payload": "/ask_terrasvergunning"}]
    agent = FakeAgent([{"text": "Dag!", "buttons": buttons, "custom": {"topic": None}}])
    inputs = {
        "rest": ContractRestInput(),
        "telegram": TelegramInput("bot-token", TELEGRAM_SECRET, client=api),  # type: ignore[arg-type]
        "twilio_whatsapp": TwilioWhatsAppInput(TWILIO_ACCOUNT, TWILIO_TOKEN, "+3225550000",
                                               TWILIO_URL, client=api),  # type: ignore[arg-type]
        "teams": TeamsWebhookInput(TEAMS_TOKEN),
    }
    async with contextlib.AsyncExitStack() as stack:
        for name, channel in inputs.items():
            ctx.bases[name] = await stack.enter_async_context(serve(channel, agent))
        yield


DOSSIER_SUBMISSION: dict[str, Any] = {
    "type": "terrasvergunning", "tenant": "oost-vlaanderen", "counter": "gent",
    "municipality": {"nis": "44021", "name": "Gent"},
    "applicant": {"name": "Lotte Verbeke", "email": "lotte@example.be", "phone": "0470 12 34 56",
                  "enterprise_number": "0403.170.701"},
    "fields": {"business_name": "Café De Hoek", "address": "Voorbeeldstraat 1, 9000 Gent",
               "period": {"start": "2027-04-01", "end": "2027-09-30"}, "surface": 18.5},
    "conversation_id": "conv-fuzz-seed"}


# --- what is fuzzed ----------------------------------------------------------------------------

def web_targets(ctx: Context) -> dict[str, st.SearchStrategy[Req]]:
    session = [f"olk_session={CONVERSATION}", f"olk_session={secrets.token_urlsafe(24)}",
               "olk_session=short", "olk_session=" + "a" * 65]
    service = [f"Bearer {SERVICE_TOKEN}", "Bearer wrong", "Bearer ", "Basic abc"]
    owner = [f"Bearer {ctx.owner_token}", "Bearer wrong"]
    origins = {"Origin": ["http://127.0.0.1", "https://evil.example", "null"]}
    feedback = shaped({"conversation_id": IDS, "message_id": st.sampled_from(
        ["m-1", "answer-0001", "answer-9999", "x"]) | ANY_TEXT, "vote": st.sampled_from(
        ["up", "down", "sideways"]), "topic": st.sampled_from(["terrasvergunning", "../x"]),
        "municipality": st.sampled_from(["Gent", "Aalst", "Atlantis"]), "tenant": ANY_TEXT})
    handoff = shaped({"conversation_id": IDS, "counter": st.sampled_from(
        ["gent", "aalst", "GENT", "x" * 65]), "counter_name": ANY_TEXT, "municipality": ANY_TEXT,
        "topic": ANY_TEXT, "topic_title": ANY_TEXT, "summary": ANY_TEXT,
        "counter_open": st.booleans()})
    contact = shaped({"reference": st.sampled_from([ctx.handoff_reference, "HO-XXXX-XXXX"]),
                      "conversation_id": IDS, "contact": st.sampled_from(
                          ["0470 12 34 56", "an@voorbeeld.be", "bel me"]) | ANY_TEXT})
    login = shaped({"csrf": st.sampled_from(["fuzzcsrf"]) | ANY_TEXT, "name": st.sampled_from(
        [OFFICER_NAME, "nobody"]) | ANY_TEXT, "password": st.sampled_from(
        [OFFICER_PASSWORD, "fout"]) | ANY_TEXT})
    chat = shaped({"message": ANY_TEXT, "municipality": ANY_TEXT, "nis": ANY_TEXT,
                   "tenant": ANY_TEXT})
    path_ids = st.sampled_from([CONVERSATION, "x", "%20", "a" * 200]) | ANY_TEXT.filter(
        lambda s: "/" not in s and "?" not in s and "#" not in s)
    return {
        "web /api/chat": request(methods("POST"), st.just("/api/chat"), json_body(chat),
                                 headers(cookies=session)),
        "web /api/chat/history+updates+reset": request(
            methods("GET"), st.sampled_from(["/api/chat/history", "/api/chat/updates",
                                             "/api/chat/reset"]),
            st.just(b"") | st.binary(max_size=20), headers(cookies=session),
            st.lists(st.tuples(st.sampled_from(["after", "x"]), ANY_TEXT | st.integers().map(
                str)), max_size=2).map(tuple)),
        "web /api/chat/feedback": request(methods("POST"), st.just("/api/chat/feedback"),
                                          json_body(feedback), headers(cookies=session)),
        "web /api/feedback": request(methods("POST", "OPTIONS"), st.just("/api/feedback"),
                                     json_body(feedback), headers(extra=origins)),
        "web /api/handoff/requests": request(methods("POST"), st.just("/api/handoff/requests"),
                                             json_body(handoff), headers(auth=service)),
        "web /api/handoff/contact": request(methods("POST"), st.just("/api/handoff/contact"),
                                            json_body(contact), headers(auth=service)),
        "web /api/handoff/{id}/messages": request(
            methods("GET"), path_ids.map(lambda i: f"/api/handoff/{i}/messages"),
            st.just(b""), headers(auth=owner), st.lists(st.tuples(st.sampled_from(
                ["token", "after"]), st.sampled_from([ctx.owner_token, "-1", "9" * 30])
                | ANY_TEXT), max_size=2).map(tuple)),
        "web /api/conversations/erase": request(
            methods("POST"), st.just("/api/conversations/erase"),
            json_body(shaped({"conversation_id": IDS})), headers(auth=service)),
        "web /officer/login": request(
            methods("POST", "GET"), st.just("/officer/login"), form_body(login),
            headers(cookies=["olk_officer_login=fuzzcsrf", "olk_officer_login=other"],
                    content_type="application/x-www-form-urlencoded")),
    }


def signed_header(name: str, sign: Callable[[bytes], str]) -> Callable[[Req], Req]:
    def apply(req: Req) -> Req:
        return Req(req.method, req.path, req.query, (*req.headers, (name, sign(req.body))),
                   req.body)
    return apply


def maybe_signed(base: st.SearchStrategy[Req], name: str, sign: Callable[[bytes], str]
                 ) -> st.SearchStrategy[Req]:
    return st.one_of(base, base.map(signed_header(name, sign)))


def channel_targets(ctx: Context) -> dict[str, st.SearchStrategy[Req]]:
    from connectors.webhook_security import teams_signature, twilio_signature

    now = st.integers(int(time.time()) - 1000, int(time.time()) + 1000)
    message = shaped({"message_id": st.integers(), "date": now, "text": ANY_TEXT,
                      "chat": shaped({"id": st.integers(), "type": st.sampled_from(
                          ["private", "group"])}), "from": shaped({"id": st.integers(),
                                                                   "is_bot": st.booleans()})})
    update = shaped({"update_id": st.integers(), "message": message,
                     "callback_query": shaped({"id": ANY_TEXT, "data": ANY_TEXT,
                                               "message": message, "from": JSON})})
    twilio = shaped({"AccountSid": st.sampled_from([TWILIO_ACCOUNT]), "MessageSid": st.uuids().map(
        str), "From": st.sampled_from(["whatsapp:+32470123456", "+32", "whatsapp:"]),
        "To": ANY_TEXT, "Body": ANY_TEXT, "NumMedia": st.sampled_from(["0", "1", "x"])})
    stamp = st.sampled_from(["2026-11-23T10:00:00.0000001Z", "x", ""]) | st.just(
        time.strftime("%Y-%m-%dT%H:%M:%S.0000001Z", time.gmtime()))
    activity = shaped({"type": st.sampled_from(["message", "invoke"]), "id": st.uuids().map(str),
                       "timestamp": stamp, "text": ANY_TEXT,
                       "from": shaped({"id": ANY_TEXT, "name": ANY_TEXT,
                                       "aadObjectId": ANY_TEXT}),
                       "conversation": shaped({"id": ANY_TEXT}), "serviceUrl": ANY_TEXT})
    rest = shaped({"sender": IDS | st.integers(), "message": ANY_TEXT, "metadata": JSON})

    def twilio_sign(body: bytes) -> str:
        from urllib.parse import parse_qs

        params = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        return twilio_signature(TWILIO_TOKEN, TWILIO_URL, params)

    return {
        "rest webhook": request(methods("POST"), st.sampled_from(
            ["/webhooks/rest/webhook", "/webhooks/rest/"]), json_body(rest), headers()),
        "telegram webhook": request(
            methods("POST"), st.just("/webhooks/telegram/webhook"), json_body(update),
            headers(secret=("X-Telegram-Bot-Api-Secret-Token", TELEGRAM_SECRET))),
        "twilio_whatsapp webhook": maybe_signed(request(
            methods("POST"), st.just("/webhooks/twilio_whatsapp/webhook"), form_body(twilio),
            headers(content_type="application/x-www-form-urlencoded")),
            "X-Twilio-Signature", twilio_sign),
        "teams webhook": maybe_signed(request(
            methods("POST"), st.just("/webhooks/teams/webhook"), json_body(activity),
            headers()), "Authorization", lambda b: "HMAC " + teams_signature(TEAMS_TOKEN, b)),
    }


def dossier_targets(ctx: Context) -> dict[str, st.SearchStrategy[Req]]:
    service = [f"Bearer {DOSSIER_TOKEN}", f"Bearer {DOSSIER_OFFICER}", "Bearer wrong"]
    officer = [f"Bearer {DOSSIER_OFFICER}", f"Bearer {DOSSIER_TOKEN}", "Bearer wrong"]
    reference = st.sampled_from([ctx.dossier_reference or "OVL-2026-AAAAAA", "OVL-2026-ZZZZZZ",
                                 "x", "a" * 100]) | ANY_TEXT.filter(
        lambda s: s and "/" not in s and "?" not in s and "#" not in s)
    submission = shaped({key: st.just(value) for key, value in DOSSIER_SUBMISSION.items()})
    status = shaped({"status": st.sampled_from(["in_behandeling", "afgerond", "submitted",
                                                "x"]), "expected_status": ANY_TEXT,
                     "note": ANY_TEXT, "officer": ANY_TEXT})
    names = st.sampled_from(["email", "reference", "status", "counter", "q", "from", "to",
                             "limit", "offset", "conversation_id"])
    query = st.lists(st.tuples(names, ANY_TEXT | st.integers().map(str)), max_size=4).map(tuple)
    extra = {"Idempotency-Key": ["fuzz-key-000001", "k"], "X-Acting-Officer": ["an.gent"],
             "X-Acting-Counters": ["gent", "*"], "X-Conversation-Id": ["fuzz-conv", "c" * 300]}
    auth, as_officer = headers(auth=service, extra=extra), headers(auth=officer, extra=extra)
    keyed = st.builds(lambda h, key: {**h, "Idempotency-Key": key}, auth,
                      mostly(st.uuids().map(str), HEADER_TEXT))
    return {
        "dossiers POST /api/dossiers": request(methods("POST"), st.just("/api/dossiers"),
                                               json_body(submission), keyed),
        "dossiers GET /api/dossiers": request(methods("GET"), st.just("/api/dossiers"),
                                              st.just(b""), as_officer, query),
        "dossiers /api/dossiers/{ref}": request(
            methods("GET", "PATCH"), reference.map(lambda r: f"/api/dossiers/{r}"),
            json_body(status), as_officer, query),
        "dossiers POST owner-lookup": request(
            methods("POST"), reference.map(lambda r: f"/api/dossiers/{r}/owner-lookup"),
            json_body(shaped({"email": ANY_TEXT})), auth),
        "dossiers PUT assignee": request(
            methods("PUT"), reference.map(lambda r: f"/api/dossiers/{r}/assignee"),
            json_body(shaped({"assignee": ANY_TEXT, "officer": ANY_TEXT})), as_officer),
        "dossiers POST notes": request(
            methods("POST"), reference.map(lambda r: f"/api/dossiers/{r}/notes"),
            json_body(shaped({"text": ANY_TEXT, "note": ANY_TEXT})), as_officer),
        "dossiers /api/counters/{c}/dossiers": request(
            methods("GET"), st.sampled_from(["gent", "aalst", "*", "x" * 80]).map(
                lambda c: f"/api/counters/{c}/dossiers"), st.just(b""), as_officer, query),
    }


TARGET_BASE = {"web": "web", "rest": "rest", "telegram": "telegram",
               "twilio_whatsapp": "twilio_whatsapp", "teams": "teams", "dossiers": "dossiers"}


def base_of(target: str) -> str:
    return TARGET_BASE[target.split(" ", 1)[0]]


# --- running -----------------------------------------------------------------------------------

class Runner:
    """The servers on their own event loop in a thread; hypothesis drives them from here."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.ctx = Context()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._stack: contextlib.AsyncExitStack | None = None
        self.session: aiohttp.ClientSession | None = None

    def call(self, coroutine: Any, timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _start(self) -> None:
        stack = contextlib.AsyncExitStack()
        await stack.enter_async_context(web_app(self.state, self.ctx))
        await stack.enter_async_context(dossier_service(self.state, self.ctx))
        await stack.enter_async_context(channels(self.ctx))
        self.session = await stack.enter_async_context(aiohttp.ClientSession(
            cookie_jar=aiohttp.DummyCookieJar(), timeout=aiohttp.ClientTimeout(total=30)))
        self._stack = stack

    def __enter__(self) -> Runner:
        self._thread.start()
        self.call(self._start())
        return self

    def __exit__(self, *_: Any) -> None:
        if self._stack is not None:
            self.call(self._stack.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    async def _send(self, base: str, req: Req) -> tuple[int, str]:
        assert self.session is not None
        url = URL(base).with_path(req.path, encoded=False)
        if req.query:
            url = url.with_query(list(req.query))
        async with self.session.request(
                req.method, url, data=req.body or None, headers=list(req.headers),
                skip_auto_headers=("Content-Type",), allow_redirects=False) as response:
            text = await response.text(errors="replace") if response.status >= 500 else ""
            return response.status, text

    async def _send_all(self, base: str, reqs: list[Req]) -> list[tuple[int, str] | BaseException]:
        return await asyncio.gather(*(self._send(base, req) for req in reqs),
                                    return_exceptions=True)

    def send(self, stats: Stats, target: str, reqs: list[Req]) -> None:
        """Send a batch at once (the servers see concurrent requests too)."""
        results = self.call(self._send_all(self.ctx.bases[base_of(target)], reqs))
        for req, result in zip(reqs, results, strict=True):
            if isinstance(result, (ValueError, TypeError, aiohttp.InvalidURL, UnicodeError)):
                stats.client_errors[type(result).__name__] += 1  # not a request we could send
                continue
            if isinstance(result, BaseException):
                raise result
            status, text = result
            stats.sent += 1
            stats.per_target[target] += 1
            stats.statuses[status] += 1
            if status >= 500:
                stats.server_errors.append((target, req, status, text))


def fuzz_target(runner: Runner, stats: Stats, target: str, strategy: st.SearchStrategy[Req],
                examples: int) -> None:
    """About `examples` inputs, in batches of up to BATCH sent concurrently."""
    size = max(1, min(BATCH, examples))
    batches = -(-examples // size)

    @settings(max_examples=batches, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=False)
    @given(st.lists(strategy, min_size=size, max_size=size))
    def run(reqs: list[Req]) -> None:
        runner.send(stats, target, reqs)

    run()


def budget() -> int:
    return max(1, int(os.environ.get("FUZZ_EXAMPLES", "") or DEFAULT_CI_EXAMPLES))


def all_targets(ctx: Context) -> dict[str, st.SearchStrategy[Req]]:
    return {**web_targets(ctx), **channel_targets(ctx), **dossier_targets(ctx)}


def fuzz_all(total: int, state: Path | None = None) -> Stats:
    """Send about `total` inputs over every target (an equal share each)."""
    stats = Stats()
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        if state is None:
            state = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fuzz-")))
        stack.enter_context(cheap_passwords())
        runner = stack.enter_context(Runner(state))
        targets = all_targets(runner.ctx)
        share, extra = divmod(total, len(targets))
        for index, (name, strategy) in enumerate(targets.items()):
            examples = share + (1 if index < extra else 0)
            if examples:
                fuzz_target(runner, stats, name, strategy, examples)
    stats.seconds = time.monotonic() - started
    return stats


def main() -> int:
    import logging

    logging.basicConfig(level=logging.CRITICAL)  # expected refusals are not news
    stats = fuzz_all(budget())
    print(stats.report())
    return 1 if stats.five_xx else 0


if __name__ == "__main__":
    sys.exit(main())
