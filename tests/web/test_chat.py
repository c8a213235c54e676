"""The owner's chat page and its proxy to Rasa, with a fake Rasa client (no network)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.web.app import create_app
from bot.web.rasa_client import RasaUnavailable
from bot.webcore.config import WebConfig
from bot.webcore.owner_session import SESSION_COOKIE


class FakeRasa:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.fail = fail

    async def send(self, sender: str, text: str, metadata: dict[str, Any] | None = None):
        self.calls.append((sender, text, metadata or {}))
        if self.fail:
            raise RasaUnavailable("down")
        return [{"recipient_id": sender, "text": "Dag!", "custom": {"topic": None}}]


@pytest.fixture()
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture()
async def client(aiohttp_client, rasa):
    return await aiohttp_client(create_app(WebConfig(), rasa=rasa))  # type: ignore[arg-type]


async def test_page_is_dutch_with_strict_csp_and_a_random_session(client):
    response = await client.get("/")
    body = await response.text()
    assert response.status == 200
    assert '<html lang="nl">' in body and "Versturen" in body
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    cookie = response.cookies[SESSION_COOKIE]
    assert len(cookie.value) >= 24 and cookie["httponly"]


async def test_messages_go_to_rasa_under_the_cookie_session(client, rasa):
    await client.get("/")
    first = await client.post("/api/chat", json={"message": "hallo"})
    second = await client.post("/api/chat", json={"message": "terras"})
    assert (await first.json())["messages"][0]["text"] == "Dag!"
    assert second.status == 200
    senders = {call[0] for call in rasa.calls}
    assert len(senders) == 1 and "default" not in senders


async def test_two_visitors_never_share_a_conversation(aiohttp_client, rasa):
    app_config = WebConfig()
    one = await aiohttp_client(create_app(app_config, rasa=rasa))  # type: ignore[arg-type]
    await one.post("/api/chat", json={"message": "a"})
    other = await aiohttp_client(create_app(app_config, rasa=rasa))  # type: ignore[arg-type]
    await other.post("/api/chat", json={"message": "b"})
    assert rasa.calls[0][0] != rasa.calls[1][0]


async def test_forged_session_cookie_is_replaced(client, rasa):
    client.session.cookie_jar.update_cookies({SESSION_COOKIE: "<script>"})
    response = await client.post("/api/chat", json={"message": "hallo"})
    assert response.status == 200
    assert rasa.calls[-1][0] != "<script>"


async def test_rasa_down_gives_a_flag_the_page_turns_into_dutch_text(aiohttp_client):
    client = await aiohttp_client(create_app(WebConfig(), rasa=FakeRasa(fail=True)))  # type: ignore[arg-type]
    response = await client.post("/api/chat", json={"message": "hallo"})
    assert response.status == 200
    assert (await response.json()) == {"messages": [], "unavailable": True}
    page = await (await client.get("/")).text()
    assert "niet bereikbaar" in page


async def test_non_json_posts_are_refused(client):
    response = await client.post("/api/chat", data="message=hallo")
    assert response.status == 415


async def test_reset_starts_a_new_conversation(client, rasa):
    await client.post("/api/chat", json={"message": "a"})
    await client.post("/api/chat/reset")
    await client.post("/api/chat", json={"message": "b"})
    assert rasa.calls[0][0] != rasa.calls[1][0]


# -- the transcript after a reload (GET /api/chat/history) ---------------------------------------

SOURCE = "https://www.vlaanderen.example.be/terras"


def tracker_events() -> list[dict[str, Any]]:
    answer = {"topic": "terrasvergunning", "source": SOURCE, "_contract": True}
    return [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "user", "text": "/ask_terrasvergunning", "parse_data": {"intent": {}},
         "metadata": {"secret": "x"}},
        {"event": "bot", "text": "In welke gemeente is je zaak?",
         "data": {"custom": {"topic": "terrasvergunning", "_contract": True}}},
        {"event": "slot", "name": "municipality", "value": "Aalst"},
        {"event": "user", "text": "Aalst"},
        {"event": "bot", "text": f"Je hebt een vergunning nodig.\n\nBron: Terras ({SOURCE})",
         "data": {"buttons": [{"title": "Aanvraag starten", "payload": "/start_dossier"}],
                  "custom": answer}},
        {"event": "bot", "text": f"Meer op {SOURCE}", "data": {"custom": answer}},
        {"event": "bot", "text": "Contact: Ondernemersloket Aalst", "data": {"custom": None}},
        {"event": "user", "text": "/start_dossier"},
        {"event": "user", "text": "/unclear_input"},
        {"event": "bot", "text": "Sofie is er nu bij.", "metadata": {}},
        {"event": "bot", "text": "Dag, ik ben Sofie.",
         "metadata": {"author": "officer", "officer": "Sofie"}},
        {"event": "bot", "text": "", "data": {}},
    ]


class TrackerRasa(FakeRasa):
    def __init__(self, events: list[dict[str, Any]] | None = None, fail: bool = False) -> None:
        super().__init__(fail=fail)
        self.tracker_calls: list[str] = []
        self._events = events or []

    async def events(self, sender: str) -> list[dict[str, Any]]:
        self.tracker_calls.append(sender)
        if self.fail:
            raise RasaUnavailable("down")
        return self._events


def test_the_transcript_keeps_only_texts_buttons_and_who_said_it():
    from bot.web.chat import starter_buttons, transcript
    from bot.webcore.texts import load_texts

    texts = load_texts(WebConfig().content_dir / "web.yml")
    messages = transcript(tracker_events(), "Bron", starter_buttons(texts))
    assert [(m["sender"], m["text"][:24]) for m in messages] == [
        ("owner", "Een terras plaatsen"),  # the starter button's title, not its payload
        ("bot", "In welke gemeente is je "),
        ("owner", "Aalst"),
        ("bot", "Je hebt een vergunning n"),
        ("bot", f"Meer op {SOURCE}"[:24]),
        ("bot", "Contact: Ondernemersloke"),
        ("owner", "Aanvraag starten"),  # a button of an earlier answer
        ("bot", "Sofie is er nu bij."),
        ("officer", "Dag, ik ben Sofie."),
    ]
    answers = [m for m in messages if m["answer"]]
    assert [(m["id"], m["topic"]) for m in answers] == [("answer-0001", "terrasvergunning")]
    assert messages[3]["buttons"] == [{"title": "Aanvraag starten", "payload": "/start_dossier"}]
    assert messages[-1]["officer"] == "Sofie" and messages[-2]["officer"] is None
    assert all(set(m) == {"sender", "text", "buttons", "officer", "answer", "topic", "id"}
               for m in messages)


async def test_history_reads_the_cookies_own_conversation(aiohttp_client):
    rasa = TrackerRasa(tracker_events())
    client = await aiohttp_client(create_app(WebConfig(), rasa=rasa))  # type: ignore[arg-type]
    empty = await client.get("/api/chat/history?sender=someone-else-entirely")
    assert (await empty.json()) == {"messages": []} and rasa.tracker_calls == []
    await client.get("/")
    sid = client.session.cookie_jar.filter_cookies(client.make_url("/"))[SESSION_COOKIE].value
    response = await client.get("/api/chat/history?sender=someone-else-entirely")
    assert response.headers["Cache-Control"] == "no-store"
    data = await response.json()
    assert rasa.tracker_calls == [sid]
    assert data["messages"][0] == {"sender": "owner", "text": "Een terras plaatsen",
                                   "buttons": [], "officer": None, "answer": False,
                                   "topic": None, "id": None}
    assert "secret" not in await response.text()


async def test_history_says_so_when_rasa_is_down(aiohttp_client):
    rasa = TrackerRasa(fail=True)
    client = await aiohttp_client(create_app(WebConfig(), rasa=rasa))  # type: ignore[arg-type]
    await client.get("/")
    response = await client.get("/api/chat/history")
    assert (await response.json()) == {"messages": [], "unavailable": True}


async def test_the_page_has_a_welcome_with_starter_buttons_from_the_content(client):
    body = await (await client.get("/")).text()
    assert 'id="welcome"' in body and 'data-payload="/ask_terrasvergunning"' in body
    assert ">Een terras plaatsen</button>" in body
    assert 'data-has-session="false"' in body
    again = await (await client.get("/")).text()
    assert 'data-has-session="true"' in again
    assert 'role="status" aria-live="polite"' in body  # the typing line is announced
    assert "<script>" not in body and " style=" not in body
