"""Issue 15: `/intent{...}` payloads typed by a client. Only buttons the bot offered in the last
turns of the same conversation and the documented entry points reach Rasa as payloads; Rasa's
internal intents never do; everything else reaches NLU as plain words. Checked on every channel
(REST, widget socket.io, messaging)."""

from __future__ import annotations

import secrets
from typing import Any

import aiohttp
import pytest
from rasa.shared.core.events import BotUttered, UserUttered

from bot import payload_guard
from connectors.messaging import run_turn
from connectors.rest import ContractRestInput
from connectors.widget import WidgetInput
from tests.connectors.harness import FakeAgent, serve
from tests.connectors.test_widget_channel import socket

FLOOD = '/request_human{"nis":"44021"}'
MUNICIPALITY_BUTTON = '/inform_municipality{"nis":"44021"}'


def offered(*payloads: str) -> list[Any]:
    return [UserUttered("waar?"),
            BotUttered("In welke gemeente?", {"buttons": [
                {"title": f"knop {n}", "payload": p} for n, p in enumerate(payloads)]})]


def is_payload(text: str) -> bool:
    return text.startswith("/")


@pytest.mark.parametrize("internal", ["/restart", "/session_start", "/back", "/nlu_fallback",
                                      "/unclear_input", '/session_start{"x":"y"}'])
def test_internal_intents_are_never_accepted_not_even_when_offered(internal: str) -> None:
    assert not payload_guard.accepted(internal, {payload_guard.canonical(internal) or ""})
    assert not is_payload(payload_guard.guard(internal))


def test_entry_points_are_accepted_without_entities_only() -> None:
    for entry in ("/greet", "/request_human", "/ask_terrasvergunning"):  # a chat page starter
        assert payload_guard.guard(entry) == entry
    assert payload_guard.guard(FLOOD) == "request human 44021"
    assert payload_guard.guard('/ask_terrasvergunning{"municipality":"Gent"}') == \
        "ask terrasvergunning Gent"


def test_offered_buttons_of_the_last_turns_are_accepted_in_any_spelling() -> None:
    events = offered(MUNICIPALITY_BUTTON)
    keys = payload_guard.offered_payloads(events, turns=3)
    assert payload_guard.accepted('/inform_municipality{ "nis" : "44021" }', keys)
    assert not payload_guard.accepted('/inform_municipality{"nis":"11002"}', keys)
    later = [*events, UserUttered("a"), BotUttered("b"), UserUttered("c"), BotUttered("d"),
             UserUttered("e"), BotUttered("f")]
    assert not payload_guard.accepted(MUNICIPALITY_BUTTON,
                                      payload_guard.offered_payloads(later, turns=3))
    as_json = [e.as_dict() for e in events]  # the tracker as Rasa's HTTP API returns it
    assert payload_guard.offered_payloads(as_json, turns=3) == keys


async def rest_post(base: str, sender: str, message: str) -> None:
    async with aiohttp.ClientSession() as http, http.post(
            f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": message}) as r:
        assert r.status == 200


async def test_rest_a_flood_of_injected_handoff_requests_never_reaches_rasa_as_payloads() -> None:
    agent = FakeAgent()
    async with serve(ContractRestInput(), agent) as base:
        for _ in range(10):
            await rest_post(base, secrets.token_hex(8), FLOOD)
        await rest_post(base, "s1", "/restart")
        await rest_post(base, "s1", "/session_start")
        await rest_post(base, "s1", "/greet")
        agent.tracker("s2").events = offered(MUNICIPALITY_BUTTON)
        await rest_post(base, "s2", MUNICIPALITY_BUTTON)
        await rest_post(base, "s3", MUNICIPALITY_BUTTON)  # not offered there
    texts = agent.texts
    assert texts[:10] == ["request human 44021"] * 10
    assert texts[10:] == ["restart", "session start", "/greet", MUNICIPALITY_BUTTON,
                          "inform municipality 44021"]


async def test_widget_payloads_are_checked_against_the_conversation() -> None:
    agent = FakeAgent()
    async with serve(WidgetInput(), agent) as base, socket(base) as owner:
        session = await owner.session()
        for text in (FLOOD, "/back", MUNICIPALITY_BUTTON):
            await owner.emit("user_uttered", {"message": text, "session_id": session})
            await owner.until("turn_complete")
        agent.tracker(session).events = offered(MUNICIPALITY_BUTTON)
        await owner.emit("user_uttered", {"message": MUNICIPALITY_BUTTON,
                                          "session_id": session})
        await owner.until("turn_complete")
    assert agent.texts == ["request human 44021", "back", "inform municipality 44021",
                           MUNICIPALITY_BUTTON]


async def test_messaging_channels_check_payloads_but_numbered_choices_still_work() -> None:
    agent = FakeAgent()

    async def handle(message: Any) -> None:
        await agent.handle_message(message)

    await run_turn(agent, handle, "telegram", "t1", FLOOD)
    agent.tracker("t2").events = offered(MUNICIPALITY_BUTTON)
    await run_turn(agent, handle, "telegram", "t2", "1")  # picks the first button by number
    assert agent.texts == ["request human 44021", MUNICIPALITY_BUTTON]
