"""The widget's transcript after a reload (POST /api/widget/history): read from Rasa's tracker
for an id the widget's channel signed, with the ids the channel gave the bot's messages, and
refused for any other conversation."""

from __future__ import annotations

from typing import Any

import pytest

from bot.message_ids import bot_message_id
from bot.web.app import create_app
from bot.web.widget_history import widget_items
from bot.webcore.config import WebConfig
from connectors.widget import ConversationIds
from tests.web.test_chat import SOURCE, TrackerRasa

SECRET = "widget-secret-for-tests"
MUNICIPAL_SITE = "https://www.aalst.example.be"
ANSWER_AT = 1_795_428_000.25


def events() -> list[dict[str, Any]]:
    answer = {"topic": "terrasvergunning", "source": SOURCE, "municipality": "Aalst",
              "_contract": True}
    text = f"Je hebt een vergunning nodig.\n\nBron: Terras ({SOURCE})"
    return [
        {"event": "user", "text": "mag ik een terras zetten in Aalst?", "timestamp": 1.0},
        {"event": "bot", "text": text, "timestamp": ANSWER_AT,
         "data": {"buttons": [{"title": "Aanvraag starten", "payload": "/start_dossier"}],
                  "custom": answer}},
        {"event": "user", "text": "/start_dossier", "timestamp": 2.0},
        {"event": "bot", "text": "Dag, ik ben Sofie.", "timestamp": ANSWER_AT + 9,
         "metadata": {"author": "officer", "officer": "Sofie"}},
    ]


@pytest.fixture()
def widget_env(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WIDGET_SESSION_SECRET", SECRET)
    monkeypatch.setenv("WIDGET_ALLOWED_ORIGINS", MUNICIPAL_SITE)
    monkeypatch.setenv("FEEDBACK_DB", str(tmp_path / "feedback.sqlite3"))


def test_items_carry_who_said_it_the_channels_ids_and_the_answer():
    conversation = ConversationIds(SECRET).new()
    items = widget_items(conversation, events(), "Bron")
    assert [(i["who"], i["text"][:18]) for i in items] == [
        ("user", "mag ik een terras "), ("bot", "Je hebt een vergun"),
        ("user", "Aanvraag starten"), ("officer", "Dag, ik ben Sofie.")]
    answer = items[1]
    assert answer["id"] == bot_message_id(conversation, ANSWER_AT, events()[1]["text"])
    assert answer["answer"] and answer["topic"] == "terrasvergunning"
    assert answer["source"] == SOURCE and answer["municipality"] == "Aalst"
    assert answer["choices"] == [{"title": "Aanvraag starten", "payload": "/start_dossier"}]
    assert items[3]["officer"] == "Sofie" and not items[3]["answer"]


async def test_a_signed_widget_conversation_is_restored(aiohttp_client, widget_env):
    rasa = TrackerRasa(events())
    client = await aiohttp_client(create_app(WebConfig(), rasa=rasa))  # type: ignore[arg-type]
    conversation = ConversationIds(SECRET).new()
    response = await client.post("/api/widget/history", json={"conversation_id": conversation},
                                 headers={"Origin": MUNICIPAL_SITE})
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Access-Control-Allow-Origin"] == MUNICIPAL_SITE
    data = await response.json()
    assert rasa.tracker_calls == [conversation]
    assert [m["who"] for m in data["messages"]] == ["user", "bot", "user", "officer"]


@pytest.mark.parametrize("conversation", [
    "123456789",  # a Telegram chat id
    "e2e-rest-sender",  # a REST sender
    ConversationIds("another-key").new(),  # signed with another key
    None,
])
async def test_any_other_conversation_is_refused_without_reading_it(aiohttp_client, widget_env,
                                                                     conversation):
    rasa = TrackerRasa(events())
    client = await aiohttp_client(create_app(WebConfig(), rasa=rasa))  # type: ignore[arg-type]
    response = await client.post("/api/widget/history", json={"conversation_id": conversation})
    assert response.status == 404 and (await response.json()) == {"messages": []}
    assert rasa.tracker_calls == []


async def test_a_foreign_site_cannot_read_it(aiohttp_client, widget_env):
    client = await aiohttp_client(create_app(WebConfig(), rasa=TrackerRasa(events())))  # type: ignore[arg-type]
    response = await client.post("/api/widget/history",
                                 json={"conversation_id": ConversationIds(SECRET).new()},
                                 headers={"Origin": "https://evil.example.com"})
    assert response.status == 403


async def test_ids_signed_with_the_key_derived_from_the_api_token_are_checked_too(
        aiohttp_client, widget_env, monkeypatch):
    monkeypatch.delenv("WIDGET_SESSION_SECRET")
    monkeypatch.setenv("RASA_API_TOKEN", "run-token")
    conversation = ConversationIds().new()  # the channel's own key derivation
    rasa = TrackerRasa(events())
    client = await aiohttp_client(create_app(WebConfig(), rasa=rasa))  # type: ignore[arg-type]
    response = await client.post("/api/widget/history", json={"conversation_id": conversation})
    assert response.status == 200 and rasa.tracker_calls == [conversation]
