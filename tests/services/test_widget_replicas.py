"""Two replicas of the widget's socket.io channel sharing rooms through the machine's Redis:
an officer's reply pushed on one replica reaches the owner's socket held by the other, and a
turn handled on one replica still reaches its own socket once."""

from __future__ import annotations

import asyncio

from bot.shared_state import SharedStateSettings
from connectors.widget import ConversationIds, WidgetInput
from tests.connectors.harness import FakeAgent, serve
from tests.connectors.test_widget_channel import PAGE, bot_messages, socket
from tests.services.redis_helpers import shared

__all__ = ["shared"]


def replica(settings: SharedStateSettings) -> WidgetInput:
    return WidgetInput(ids=ConversationIds("one key for both replicas"), shared=settings)


async def test_an_officer_reply_sent_through_another_replica_reaches_the_owner(
        shared: SharedStateSettings) -> None:
    first, second = replica(shared), replica(shared)
    async with serve(first, FakeAgent()) as base_1, serve(second, FakeAgent()) as base_2, \
            socket(base_1) as owner, socket(base_2) as stranger:
        session = await owner.session(page=PAGE)
        await stranger.session()
        await asyncio.sleep(0.5)  # the replicas' Redis listeners subscribe on first connect
        push = second.get_output_channel()
        assert push is not None
        await push.send_response(session, {"text": "Dag, ik ben Sofie.", "author": "officer",
                                           "officer": "Sofie", "timestamp": 1.0})
        name, data = await owner.event()
        assert name == "bot_uttered" and data["text"] == "Dag, ik ben Sofie."
        assert await stranger.nothing()
        await owner.emit("user_uttered", {"message": "Dank u", "session_id": session})
        events = await owner.until("turn_complete")
    assert [m["text"] for m in bot_messages(events)] == ["Dag!"]  # once, not once per replica


async def test_without_redis_a_push_on_another_replica_does_not_arrive() -> None:
    """What the shared rooms fix: two in-memory replicas do not see each other's sockets."""
    first, second = replica(SharedStateSettings()), replica(SharedStateSettings())
    async with serve(first, FakeAgent()) as base_1, serve(second, FakeAgent()), \
            socket(base_1) as owner:
        session = await owner.session(page=PAGE)
        push = second.get_output_channel()
        assert push is not None
        await push.send_response(session, {"text": "Dag, ik ben Sofie."})
        assert await owner.nothing()
