"""The action server's client for the hand-off service: short timeouts, clear failures."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from bot.handoff.client import HandoffClient, HandoffUnavailable

REQUEST = {"conversation_id": "c1", "counter": "aalst", "counter_open": True}


def service_app(delay: float = 0.0, status: int = 200) -> web.Application:
    async def create(request: web.Request) -> web.Response:
        await asyncio.sleep(delay)
        if request.headers.get("Authorization") != "Bearer s3cret":
            return web.json_response({}, status=401)
        return web.json_response({"status": "queued", "reference": "HO-ABCD-EFGH",
                                  "position": 2, "token": "tok"}, status=status)

    app = web.Application()
    app.router.add_post("/api/handoff/requests", create)
    return app


async def test_submit_sends_the_token_and_reads_the_outcome(aiohttp_server):
    server = await aiohttp_server(service_app())
    result = await HandoffClient(str(server.make_url("")), "s3cret").submit(REQUEST)
    assert (result.status, result.reference, result.position, result.token) == (
        "queued", "HO-ABCD-EFGH", 2, "tok")


@pytest.mark.parametrize("token", ["", "wrong"])
async def test_missing_or_wrong_token_is_unavailable(aiohttp_server, token):
    server = await aiohttp_server(service_app())
    with pytest.raises(HandoffUnavailable):
        await HandoffClient(str(server.make_url("")), token).submit(REQUEST)


async def test_slow_service_fails_fast(aiohttp_server):
    server = await aiohttp_server(service_app(delay=2.0))
    client = HandoffClient(str(server.make_url("")), "s3cret", timeout_seconds=0.3)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(HandoffUnavailable):
        await client.submit(REQUEST)
    assert loop.time() - started < 1.0


async def test_nothing_listening_is_unavailable(unused_tcp_port):
    with pytest.raises(HandoffUnavailable):
        await HandoffClient(f"http://127.0.0.1:{unused_tcp_port}", "s3cret").submit(REQUEST)
