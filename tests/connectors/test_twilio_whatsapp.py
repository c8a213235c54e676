"""WhatsApp through Twilio: only requests signed the way Twilio signs them (checked against
Twilio's own library) reach the bot, once; buttons become a numbered list and the owner's
number is understood."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from rasa.shared.core.events import BotUttered
from twilio.request_validator import RequestValidator

from connectors.twilio_whatsapp import TwilioWhatsAppInput, chunks
from connectors.webhook_security import twilio_signature
from tests.connectors.harness import FakeAgent, serve

ACCOUNT = "AC" + "1" * 32
TOKEN = "twilio-auth-token"
PUBLIC_URL = "https://loket.example.be/webhooks/twilio_whatsapp/webhook"


class FakeTwilioApi:
    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []
        self.auth: list[tuple[str, str] | None] = []

    async def post(self, url: str, *, data: Any = None, auth: Any = None, **_: Any) -> Any:
        assert url.endswith(f"/Accounts/{ACCOUNT}/Messages.json")
        self.sent.append(dict(data))
        self.auth.append(auth)
        return {"sid": "SM1"}


def form(body: str, sid: str = "SM0001") -> dict[str, str]:
    return {"AccountSid": ACCOUNT, "MessageSid": sid, "From": "whatsapp:+32470123456",
            "To": "whatsapp:+3225550000", "Body": body, "NumMedia": "0"}


def signed(params: dict[str, str], token: str = TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(PUBLIC_URL, params))


@pytest.fixture()
def api() -> FakeTwilioApi:
    return FakeTwilioApi()


def channel(api: FakeTwilioApi) -> TwilioWhatsAppInput:
    return TwilioWhatsAppInput(ACCOUNT, TOKEN, "+3225550000", PUBLIC_URL, client=api)  # type: ignore[arg-type]


async def post(base: str, params: dict[str, str], signature: str | None) -> int:
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    async with aiohttp.ClientSession() as session, session.post(
            f"{base}/webhooks/twilio_whatsapp/webhook", data=params, headers=headers) as resp:
        await resp.read()
        return resp.status


def test_our_signature_is_twilios_documented_algorithm() -> None:
    params = {"b": ["2"], "a": ["1", "0"], "Body": ["Hé, terras?"]}
    flat = {"b": "2", "a": "1", "Body": "Hé, terras?"}
    assert twilio_signature(TOKEN, PUBLIC_URL, {k: [v] for k, v in flat.items()}) == \
        RequestValidator(TOKEN).compute_signature(PUBLIC_URL, flat)
    assert twilio_signature(TOKEN, PUBLIC_URL, params) != \
        twilio_signature(TOKEN, PUBLIC_URL + "?x=1", params)


async def test_a_signed_message_reaches_the_bot_and_the_reply_is_sent(api) -> None:
    agent = FakeAgent([{"text": "Dag! Waarmee kan ik helpen?"}])
    params = form("Hallo, ik wil een terras")
    async with serve(channel(api), agent) as base:
        assert await post(base, params, signed(params)) == 200
    [message] = agent.received
    assert (message.text, message.sender_id) == ("Hallo, ik wil een terras", "wa-32470123456")
    assert api.sent == [{"From": "whatsapp:+3225550000", "To": "whatsapp:+32470123456",
                         "Body": "Dag! Waarmee kan ik helpen?"}]
    assert api.auth == [(ACCOUNT, TOKEN)]


async def test_unsigned_wrongly_signed_tampered_and_replayed_requests_never_reach_the_bot(
        api) -> None:
    agent = FakeAgent()
    params = form("Hallo")
    tampered = {**params, "Body": "Iets anders"}
    other_account = {**form("Hallo", sid="SM0002"), "AccountSid": "AC" + "2" * 32}
    async with serve(channel(api), agent) as base:
        assert await post(base, params, None) == 401
        assert await post(base, params, signed(params, token="another-token")) == 403
        assert await post(base, tampered, signed(params)) == 403
        assert await post(base, other_account, signed(other_account)) == 403
        assert agent.received == []
        assert await post(base, params, signed(params)) == 200
        assert await post(base, params, signed(params)) == 403  # the same message again
    assert agent.texts == ["Hallo"]


async def test_buttons_become_a_numbered_list_and_a_number_picks_one(api) -> None:
    buttons = [{"title": "Aalst", "payload": '/inform_municipality{"nis":"41002"}'},
               {"title": "Gent", "payload": '/inform_municipality{"nis":"44021"}'}]
    agent = FakeAgent([{"text": "Welke gemeente bedoel je?", "buttons": buttons}])
    agent.tracker("wa-32470123456").events = [BotUttered("Welke gemeente?", {"buttons": buttons})]
    first, second = form("Sint-Martens", sid="SM1"), form(" 2 ", sid="SM2")
    async with serve(channel(api), agent) as base:
        await post(base, first, signed(first))
        await post(base, second, signed(second))
    assert api.sent[0]["Body"] == ("Welke gemeente bedoel je?\n\n1. Aalst\n2. Gent\n\n"
                                   "Antwoord met het nummer van je keuze.")
    assert agent.texts == ["Sint-Martens", '/inform_municipality{"nis":"44021"}']


async def test_the_bot_producing_nothing_gets_the_owner_an_apology(api) -> None:
    agent = FakeAgent(replies=[])
    params = form("Hallo")
    async with serve(channel(api), agent) as base:
        await post(base, params, signed(params))
    assert [m["Body"] for m in api.sent] == ["Sorry, er liep iets mis."]


def test_long_answers_are_split_into_whatsapp_sized_parts() -> None:
    text = ("Een zin over terrassen. " * 200).strip()
    parts = chunks(text)
    assert len(parts) > 1 and all(len(p) <= 1500 for p in parts)
    assert " ".join(parts) == text
