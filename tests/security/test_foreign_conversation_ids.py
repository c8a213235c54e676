"""Conversation ids are issued by the server (issue 15): socket.io `session_request` with an id
the widget channel did not issue, made up, signed with another key or another channel's
conversation, gets a new conversation, so nobody joins someone else's conversation (and its
dossier reference) by naming it. The widget keeps the id `session_confirm` gives it."""

from __future__ import annotations

import pytest

from connectors.widget import ConversationIds, WidgetInput
from tests.connectors.harness import FakeAgent, serve
from tests.connectors.test_widget_channel import socket

VICTIM = "feedc0de" * 4  # a conversation id that is not a signed widget id (REST, old widget)


@pytest.mark.parametrize("asked", [
    VICTIM,
    "a" * 55,
    "0" * 32 + "-" + "A" * 22,  # the right shape, a made-up signature
    ConversationIds("another server's key").new(),
    "telegram-4242" + "x" * 10,
])
async def test_an_id_the_server_did_not_issue_gets_a_new_conversation(asked: str) -> None:
    channel, agent = WidgetInput(ids=ConversationIds("key-1")), FakeAgent()
    async with serve(channel, agent) as base, socket(base) as attacker:
        given = await attacker.session(asked)
        assert given != asked and channel.ids.issued(given)
        push = channel.get_output_channel()
        assert push is not None
        await push.send_response(asked, {"text": "Je dossier OVL-2026-K7M4QX is ontvangen."})
        assert await attacker.nothing()  # not in the named conversation's room
        await attacker.emit("user_uttered", {"message": "Hallo", "session_id": asked})
        assert await attacker.nothing()  # nor can it post into it
        await attacker.emit("user_uttered", {"message": "Hallo", "session_id": given})
        await attacker.until("turn_complete")
    assert [m.sender_id for m in agent.received] == [given]


async def test_an_issued_id_is_taken_back_by_a_reload_or_a_second_tab() -> None:
    channel, agent = WidgetInput(ids=ConversationIds("key-1")), FakeAgent()
    async with serve(channel, agent) as base, socket(base) as tab1, socket(base) as tab2:
        issued = await tab1.session()
        assert await tab2.session(issued) == issued
        assert await tab2.session(None) != issued  # "new conversation" in the widget


def test_ids_are_signed_with_the_configured_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIDGET_SESSION_SECRET", "a-secret-shared-by-restarts")
    before_restart = ConversationIds().new()
    assert ConversationIds().issued(before_restart)  # same secret: still valid
    issued, _, signature = before_restart.partition("-")  # the signature may hold a "-"
    assert len(before_restart) == 55 and len(issued) == 32 and signature
    monkeypatch.delenv("WIDGET_SESSION_SECRET")
    monkeypatch.setenv("RASA_API_TOKEN", "this-runs-token")
    replica_1 = ConversationIds().new()
    assert ConversationIds().issued(replica_1)  # another Rasa replica of the same run
    assert not ConversationIds().issued(before_restart)
    monkeypatch.setenv("RASA_API_TOKEN", "the-next-runs-token")
    assert not ConversationIds().issued(replica_1)  # random per run when unset
    monkeypatch.delenv("RASA_API_TOKEN")
    assert not ConversationIds().issued(ConversationIds().new())  # per process, no token
    assert not ConversationIds("x").issued(None) and not ConversationIds("x").issued(123)
