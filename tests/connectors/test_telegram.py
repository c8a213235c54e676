"""Telegram webhook: only updates with the right secret token reach the bot, once, while fresh;
replies go to Telegram's API with buttons as an inline keyboard."""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import pytest
from rasa.shared.core.events import BotUttered

from connectors.telegram import TelegramInput
from tests.connectors.harness import FakeAgent, serve

SECRET = "telegram-secret-123"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


class FakeTelegramApi:
    """Records what the output channel sends instead of calling api.telegram.org."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def post(self, url: str, *, json: Any = None, **_kwargs: Any) -> Any:
        self.calls.append((url.rsplit("/", 1)[-1], json))
        return {"ok": True}

    def sent(self) -> list[dict[str, Any]]:
        return [body for method, body in self.calls if method == "sendMessage"]


def update(text: str, update_id: int = 1, age: float = 0, chat_type: str = "private"
           ) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": 7, "date": int(time.time() - age), "text": text,
        "chat": {"id": 4242, "type": chat_type}, "from": {"id": 4242, "is_bot": False}}}


@pytest.fixture()
def api() -> FakeTelegramApi:
    return FakeTelegramApi()


async def post(base: str, body: dict[str, Any], secret: str | None = SECRET) -> tuple[int, Any]:
    headers = {HEADER: secret} if secret is not None else {}
    async with aiohttp.ClientSession() as session, session.post(
            f"{base}/webhooks/telegram/webhook", json=body, headers=headers) as response:
        return response.status, await response.json()


async def test_a_signed_fresh_message_reaches_the_bot_and_the_reply_goes_back(api) -> None:
    agent = FakeAgent([{"text": "Dag! Waarmee kan ik helpen?"}])
    channel = TelegramInput("bot-token", SECRET, client=api)  # type: ignore[arg-type]
    async with serve(channel, agent) as base:
        status, _ = await post(base, update("Hallo <b>daar</b>"))
    assert status == 200
    [message] = agent.received
    assert (message.text, message.sender_id, message.input_channel) == \
        ("Hallo daar", "tg-4242", "telegram")
    assert api.sent() == [{"chat_id": "4242", "text": "Dag! Waarmee kan ik helpen?"}]


@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("wrong-secret", 403),
                                                (SECRET + "x", 403), ("", 403)])
async def test_unsigned_or_wrongly_signed_updates_never_reach_the_bot(api, secret,
                                                                      status) -> None:
    agent = FakeAgent()
    async with serve(TelegramInput("bot-token", SECRET, client=api), agent) as base:
        got, _ = await post(base, update("Hallo"), secret=secret)
    assert got == status
    assert agent.received == [] and api.calls == []


async def test_stale_and_replayed_updates_are_dropped(api) -> None:
    agent = FakeAgent()
    async with serve(TelegramInput("bot-token", SECRET, max_age_seconds=300, client=api),
                     agent) as base:
        stale = await post(base, update("Oud bericht", update_id=1, age=301))
        fresh = await post(base, update("Nieuw bericht", update_id=2))
        assert fresh == (200, {"status": "ok"})
        replay = await post(base, update("Nieuw bericht", update_id=2))
        future = await post(base, update("Uit de toekomst", update_id=3, age=-3600))
    assert stale[1]["reason"] == "stale" and future[1]["reason"] == "stale"
    assert replay[1]["reason"] == "duplicate"
    assert agent.texts == ["Nieuw bericht"]


async def test_group_chats_are_ignored(api) -> None:
    agent = FakeAgent()
    async with serve(TelegramInput("bot-token", SECRET, client=api), agent) as base:
        await post(base, update("Hallo allemaal", chat_type="group"))
    assert agent.received == []


async def test_buttons_become_an_inline_keyboard_and_a_tap_reaches_the_bot(api) -> None:
    long_payload = '/inform_municipality{"nis":"41002","note":"' + "x" * 60 + '"}'
    buttons = [{"title": "Terras", "payload": "/ask_terrasvergunning"},
               {"title": "Aalst", "payload": long_payload},
               {"title": "VLAIO", "payload": "https://www.vlaio.be/nl"}]
    agent = FakeAgent([{"text": "Waarover gaat het?", "buttons": buttons}])
    agent.tracker("tg-4242").events = [BotUttered("Waarover gaat het?", {"buttons": buttons})]
    async with serve(TelegramInput("bot-token", SECRET, client=api), agent) as base:
        await post(base, update("Hallo", update_id=10))
        tap = {"update_id": 11, "callback_query": {
            "id": "cb1", "data": "2", "from": {"id": 4242},
            "message": {"message_id": 8, "date": int(time.time()) - 3600,
                        "chat": {"id": 4242, "type": "private"}}}}
        status, _ = await post(base, tap)
    rows = api.sent()[0]["reply_markup"]["inline_keyboard"]
    assert rows == [[{"text": "Terras", "callback_data": "/ask_terrasvergunning"}],
                    [{"text": "Aalst", "callback_data": "2"}],  # too long for Telegram
                    [{"text": "VLAIO", "url": "https://www.vlaio.be/nl"}]]
    assert status == 200
    assert agent.texts[-1] == long_payload  # the tapped number became the button's payload
    assert ("answerCallbackQuery", {"callback_query_id": "cb1"}) in api.calls


async def test_an_officer_message_says_who_wrote_it(api) -> None:
    channel = TelegramInput("bot-token", SECRET, client=api)
    await channel.get_output_channel().send_response(
        "tg-4242", {"text": "Ik kijk het na.", "author": "officer", "officer": "Sofie"})
    assert api.sent() == [{"chat_id": "4242",
                           "text": "Sofie, medewerker van het loket:\nIk kijk het na."}]


def test_missing_credentials_stop_the_channel_from_starting() -> None:
    with pytest.raises(ValueError):
        TelegramInput.from_credentials({"access_token": "x", "secret_token": ""})
