"""Teams outgoing webhook: only activities signed with the security token (HMAC-SHA256 of the
raw body), fresh and not seen before reach the bot; the reply comes back in the response."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import aiohttp
import pytest

from connectors.botframework import TeamsWebhookInput, parse_timestamp
from tests.connectors.harness import FakeAgent, serve

SECURITY_TOKEN = base64.b64encode(b"teams-outgoing-webhook-key-0123").decode()


def activity(text: str, activity_id: str = "1", age: timedelta = timedelta(0)) -> bytes:
    sent = (datetime.now(timezone.utc) - age).strftime("%Y-%m-%dT%H:%M:%S.%f") + "1Z"
    return json.dumps({
        "type": "message", "id": activity_id, "timestamp": sent, "text": text,
        "from": {"id": "29:1abc", "name": "An Peeters", "aadObjectId": "aad-123"},
        "conversation": {"id": "19:channel@thread.skype"},
        "serviceUrl": "https://smba.trafficmanager.net/emea/"}).encode()


def sign(body: bytes, token: str = SECURITY_TOKEN) -> str:
    digest = hmac.new(base64.b64decode(token), body, hashlib.sha256).digest()
    return "HMAC " + base64.b64encode(digest).decode()


async def post(base: str, body: bytes, authorization: str | None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    async with aiohttp.ClientSession() as session, session.post(
            f"{base}/webhooks/teams/webhook", data=body, headers=headers) as response:
        return response.status, await response.json()


async def test_a_signed_message_reaches_the_bot_and_the_reply_is_the_response() -> None:
    buttons = [{"title": "Terrasvergunning", "payload": "/ask_terrasvergunning"}]
    agent = FakeAgent([{"text": "Bedoel je dit?", "buttons": buttons}, {"text": "Of iets anders?"}])
    body = activity("<at>Ondernemersloket</at> Mag ik een terras zetten?")
    async with serve(TeamsWebhookInput(SECURITY_TOKEN), agent) as base:
        status, reply = await post(base, body, sign(body))
    assert status == 200
    [message] = agent.received
    assert message.text == "Mag ik een terras zetten?"  # the mention of the bot is left out
    assert message.sender_id.startswith("teams-") and "aad-123" not in message.sender_id
    assert reply == {"type": "message", "text": "Bedoel je dit?\n\n1. Terrasvergunning\n\n"
                     "Antwoord met het nummer van je keuze.\n\nOf iets anders?"}


@pytest.mark.parametrize(("authorization", "status"), [
    (None, 401), ("Bearer abc", 403), ("HMAC " + "A" * 44, 403),
    ("wrong-key", 403), ("tampered", 403)])
async def test_unsigned_or_wrongly_signed_activities_never_reach_the_bot(authorization,
                                                                          status) -> None:
    agent = FakeAgent()
    body = activity("Hallo")
    if authorization == "wrong-key":
        authorization = sign(body, base64.b64encode(b"another-key").decode())
    elif authorization == "tampered":
        authorization = sign(activity("Iets anders"))
    async with serve(TeamsWebhookInput(SECURITY_TOKEN), agent) as base:
        got, _ = await post(base, body, authorization)
    assert got == status
    assert agent.received == []


async def test_stale_future_and_replayed_activities_are_refused() -> None:
    agent = FakeAgent()
    stale = activity("Oud", "a", age=timedelta(minutes=6))
    future = activity("Later", "b", age=-timedelta(hours=1))
    fresh = activity("Nu", "c")
    async with serve(TeamsWebhookInput(SECURITY_TOKEN, max_age_seconds=300), agent) as base:
        assert (await post(base, stale, sign(stale)))[0] == 403
        assert (await post(base, future, sign(future)))[0] == 403
        assert (await post(base, fresh, sign(fresh)))[0] == 200
        assert (await post(base, fresh, sign(fresh)))[0] == 403
    assert agent.texts == ["Nu"]


def test_teams_timestamps_are_read_with_their_seven_decimals() -> None:
    assert parse_timestamp("2026-11-23T08:47:20.2312345Z") == \
        datetime(2026, 11, 23, 8, 47, 20, 231234, tzinfo=timezone.utc).timestamp()
    assert parse_timestamp("2026-11-23T09:47:20.2+01:00") == \
        datetime(2026, 11, 23, 8, 47, 20, 200000, tzinfo=timezone.utc).timestamp()
    assert parse_timestamp("gisteren") is None
