"""The widget's socket.io channel, spoken to the way widget.js speaks (Engine.IO v4 over a
WebSocket): page metadata on every message, the reply contract, confirmed sessions only, an
apology instead of silence, and officer messages pushed to every tab of the conversation."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from connectors.widget import WidgetInput
from tests.connectors.harness import APOLOGY, FakeAgent, serve

PAGE = {"tenant": "oost-vlaanderen", "municipality": "Aalst"}
QUIET = 0.4  # seconds to wait for something that must not come


class Socket:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def emit(self, name: str, data: Any) -> None:
        await self.ws.send_str("42" + json.dumps([name, data]))

    async def event(self, timeout: float = 5) -> tuple[str, Any]:
        while True:
            frame = await self.ws.receive_str(timeout=timeout)
            if frame == "2":
                await self.ws.send_str("3")
            elif frame.startswith("42"):
                name, *data = json.loads(frame[frame.index("["):])
                return name, data[0] if data else None

    async def until(self, wanted: str, timeout: float = 5) -> list[tuple[str, Any]]:
        """All events up to and including the first `wanted` one."""
        seen = []
        while not seen or seen[-1][0] != wanted:
            seen.append(await self.event(timeout))
        return seen

    async def session(self, session_id: str | None = None, page: dict[str, Any] | None = None
                      ) -> str:
        await self.emit("session_request", {"session_id": session_id, "metadata": page or {}})
        name, confirmed = await self.event()
        assert name == "session_confirm"
        return str(confirmed)

    async def nothing(self) -> bool:
        try:
            await self.event(timeout=QUIET)
        except asyncio.TimeoutError:
            return True
        return False


@asynccontextmanager
async def socket(base: str) -> AsyncIterator[Socket]:
    async with aiohttp.ClientSession() as http, http.ws_connect(
            f"{base}/socket.io/?EIO=4&transport=websocket") as ws:
        assert (await ws.receive_str(timeout=5)).startswith("0{")
        await ws.send_str("40")
        assert (await ws.receive_str(timeout=5)).startswith("40")
        yield Socket(ws)


@pytest.fixture()
def channel() -> WidgetInput:
    return WidgetInput()


def bot_messages(events: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    return [data for name, data in events if name == "bot_uttered"]


async def test_the_page_context_goes_with_every_message_and_replies_carry_the_contract(
        channel) -> None:
    agent = FakeAgent([{"text": "Voor een terras…", "buttons": [
        {"title": "Aanvraag starten", "payload": "/start_dossier"}],
        "custom": {"topic": "terrasvergunning", "source": "https://www.vlaio.be/nl",
                   "_contract": True}}])
    async with serve(channel, agent) as base, socket(base) as owner:
        session = await owner.session(page={**PAGE, "cookie": "secret", "nis": "<b>"})
        agent.tracker(session).slots = {"municipality": "Aalst", "nis": "41002"}
        await owner.emit("user_uttered", {"message": "Terras <script>x()</script>zetten?",
                                          "session_id": session})
        events = await owner.until("turn_complete")
        await owner.emit("user_uttered", {"message": "En in Gent?", "session_id": session,
                                          "metadata": {"municipality": "Gent"}})
        await owner.until("turn_complete")
    first, second = agent.received
    assert (first.text, first.sender_id, first.input_channel) == \
        ("Terras zetten?", session, "socketio")
    assert first.metadata == PAGE  # unknown keys and a bad NIS code are dropped
    assert second.metadata == {"tenant": "oost-vlaanderen", "municipality": "Gent"}
    [reply] = bot_messages(events)
    assert reply["text"] == "Voor een terras…" and reply["id"]
    assert reply["quick_replies"] == [{"content_type": "text", "title": "Aanvraag starten",
                                       "payload": "/start_dossier"}]
    assert reply["custom"] == {"topic": "terrasvergunning", "source": "https://www.vlaio.be/nl",
                               "municipality": "Aalst", "nis": "41002"}


async def test_messages_without_a_confirmed_session_never_reach_the_bot(channel) -> None:
    agent = FakeAgent()
    async with serve(channel, agent) as base, socket(base) as owner, socket(base) as other:
        await owner.emit("user_uttered", {"message": "Hallo", "session_id": "a" * 32})
        victim = await other.session()
        mine = await owner.session()
        await owner.emit("user_uttered", {"message": "Ik wil erin", "session_id": victim})
        assert await owner.nothing() and await other.nothing()
        await owner.emit("user_uttered", {"message": "Hallo", "session_id": mine})
        await owner.until("turn_complete")
    assert [(m.sender_id, m.text) for m in agent.received] == [(mine, "Hallo")]


async def test_the_owner_gets_an_apology_when_the_bot_produced_nothing(channel) -> None:
    agent = FakeAgent(replies=[])
    async with serve(channel, agent) as base, socket(base) as owner:
        session = await owner.session()
        await owner.emit("user_uttered", {"message": "Hallo", "session_id": session})
        events = await owner.until("turn_complete")
        agent.tracker(session).paused = True  # an officer has the conversation
        await owner.emit("user_uttered", {"message": "Hallo?", "session_id": session})
        paused = await owner.until("turn_complete")
    assert [m["text"] for m in bot_messages(events)] == [APOLOGY]
    assert bot_messages(paused) == []  # silent, but the widget learns the turn is over


async def test_officer_messages_reach_every_tab_of_the_conversation_and_say_so(channel) -> None:
    agent = FakeAgent()
    async with serve(channel, agent) as base, socket(base) as tab1, socket(base) as tab2, \
            socket(base) as stranger:
        session = await tab1.session(page=PAGE)
        assert await tab2.session(session) == session  # a reload or a second tab
        await stranger.session()
        push = channel.get_output_channel()
        assert push is not None
        await push.send_response(session, {"text": "Dag, ik ben Sofie.", "author": "officer",
                                           "officer": "Sofie", "timestamp": 1.0})
        for tab in (tab1, tab2):
            name, data = await tab.event()
            assert name == "bot_uttered" and data["text"] == "Dag, ik ben Sofie."
            assert data["metadata"] == {"author": "officer", "officer": "Sofie"}
        assert await stranger.nothing()


async def test_a_new_conversation_leaves_the_old_one(channel) -> None:
    agent = FakeAgent()
    async with serve(channel, agent) as base, socket(base) as owner:
        old = await owner.session()
        new = await owner.session(None)
        assert new != old
        push = channel.get_output_channel()
        assert push is not None
        await push.send_response(old, {"text": "Nog over het oude gesprek"})
        assert await owner.nothing()
        await push.send_response(new, {"text": "Over het nieuwe"})
        assert (await owner.event())[1]["text"] == "Over het nieuwe"
