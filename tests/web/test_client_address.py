"""Per-address limits see the real client behind our own proxy, and only behind it."""

from __future__ import annotations

from aiohttp import web

from bot.webcore.client_address import TRUSTED_PROXIES_KEY, client_address


async def echo(request: web.Request) -> web.Response:
    return web.Response(text=client_address(request))


async def make_client(aiohttp_client, trusted: frozenset[str]):
    app = web.Application()
    app[TRUSTED_PROXIES_KEY] = trusted
    app.router.add_get("/", echo)
    return await aiohttp_client(app)


async def test_behind_our_proxy_the_address_it_forwarded_counts(aiohttp_client):
    client = await make_client(aiohttp_client, frozenset({"127.0.0.1"}))
    # A client-typed entry first, then the one our proxy appended: only the last counts.
    response = await client.get("/", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.7"})
    assert await response.text() == "203.0.113.7"
    response = await client.get("/", headers={"X-Forwarded-For": "not-an-address"})
    assert await response.text() == "127.0.0.1"


async def test_without_a_trusted_proxy_a_forged_header_changes_nothing(aiohttp_client):
    client = await make_client(aiohttp_client, frozenset())
    response = await client.get("/", headers={"X-Forwarded-For": "203.0.113.7"})
    assert await response.text() == "127.0.0.1"
