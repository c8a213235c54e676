"""A RabbitMQ connection that stays open but stops carrying data (seen in the fault runs under
load: every publish of both Rasa replicas timed out for minutes, while a new connection worked)
is replaced by the broker, and the events published meanwhile still reach the queue. The
relay in front of the machine's RabbitMQ stalls the connections it holds: nothing passes, no
connection is closed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest_asyncio

from bot.shared_state import SharedStateSettings
from connectors import pika_broker
from tests.conftest import require_service
from tests.services.test_event_broker_outage import (
    event,
    queue,  # noqa: F401 - fixture
    received,
)


class StallingRelay:
    """127.0.0.1:<port> -> RabbitMQ; `stall()` freezes the connections open at that moment."""

    def __init__(self) -> None:
        self.port = 0
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._frozen: set[int] = set()
        self._never = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def stall(self) -> None:
        self._frozen.update(range(1, self.connections + 1))

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in self._tasks:
            task.cancel()

    async def _serve(self, client_r: asyncio.StreamReader,
                     client_w: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        server_r, server_w = await asyncio.open_connection("127.0.0.1", 5672)

        async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await reader.read(65536):
                    if number in self._frozen:  # held, not dropped: the socket stays open
                        await self._never.wait()
                    writer.write(data)
                    await writer.drain()
            writer.transport.abort()

        for pair in ((client_r, server_w), (server_r, client_w)):
            task = asyncio.ensure_future(pump(*pair))
            self._tasks.add(task)


@pytest_asyncio.fixture
async def relay() -> AsyncIterator[StallingRelay]:
    require_service("RabbitMQ", "127.0.0.1", 5672)
    found = StallingRelay()
    await found.start()
    yield found
    await found.stop()


async def test_a_connection_that_stops_carrying_data_is_replaced(relay, queue):  # noqa: F811
    broker = pika_broker.ReliablePikaEventBroker(
        "127.0.0.1", "guest", "guest", port=relay.port, queues=[queue.name],
        exchange_name="citest-exchange-" + queue.name[-8:], publish_timeout=1.0,
        shared_state=SharedStateSettings(None))
    await broker.connect()
    try:
        for number in range(5):
            broker.publish(event("ci-stall", number))
        assert len(await received(queue, 5, 10)) == 5
        relay.stall()
        for number in range(5, 65):
            broker.publish(event("ci-stall", number))
        bodies = await received(queue, 60, 40)
    finally:
        await broker.close()
    assert relay.connections >= 2  # a new connection was opened
    numbers = {int(body["text"].split()[1]) for body in bodies}
    assert numbers == set(range(5, 65))
