"""A channel served for real (Sanic on a free port, registered the way Rasa registers it), with
a fake agent that records what reaches the bot and answers with canned messages."""

from __future__ import annotations

import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage, register
from sanic import Sanic

APOLOGY = "Sorry, er liep iets mis."


@dataclass
class FakeTracker:
    events: list[Any] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    paused: bool = False

    def current_slot_values(self) -> dict[str, Any]:
        return self.slots

    def is_paused(self) -> bool:
        return self.paused


class FakeTrackerStore:
    def __init__(self) -> None:
        self.trackers: dict[str, FakeTracker] = {}

    async def retrieve(self, sender_id: str) -> FakeTracker | None:
        return self.trackers.get(sender_id)


class FakeAgent:
    """Stands in for rasa's Agent: `handle_message` is what the channels' messages reach."""

    def __init__(self, replies: list[dict[str, Any]] | None = None) -> None:
        self.received: list[UserMessage] = []
        self.replies = replies if replies is not None else [{"text": "Dag!"}]
        self.tracker_store = FakeTrackerStore()
        self.domain = SimpleNamespace(responses={"utter_technical_problem": [{"text": APOLOGY}]})

    def tracker(self, sender_id: str) -> FakeTracker:
        return self.tracker_store.trackers.setdefault(sender_id, FakeTracker())

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        for reply in self.replies:
            await message.output_channel.send_response(message.sender_id, dict(reply))

    @property
    def texts(self) -> list[str]:
        return [m.text or "" for m in self.received]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serve(channel: InputChannel, agent: FakeAgent) -> AsyncIterator[str]:
    """Serve the channel under /webhooks/<name>/ like `rasa run`; yields the base URL."""
    Sanic.test_mode = True
    app = Sanic(f"channel_test_{secrets.token_hex(4)}", configure_logging=False)
    app.ctx.agent = agent
    register([channel], app, route="/webhooks/")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                     access_log=False)
    assert server is not None
    await server.startup()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()
