"""`/socket.io/` of our web app: a WebSocket relay to Rasa's socket.io channel.

Rasa listens on loopback only; the widget talks Engine.IO v4 over a WebSocket to our web app,
which relays the frames unchanged. Only the WebSocket transport is relayed (no long-polling),
only from pages of allowed origins, with a frame size and rate limit per connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import WSMsgType, web

from bot.web.widget_settings import SETTINGS_KEY

logger = logging.getLogger(__name__)

MAX_FRAME = 16 * 1024
RATE_WINDOW_SECONDS = 10.0
RATE_MAX_FRAMES = 40  # pings included; a person types far less
CONNECT_TIMEOUT = aiohttp.ClientTimeout(total=10)
PROXY_SESSION_KEY = web.AppKey("socket_proxy_session", aiohttp.ClientSession)
OPEN_SOCKETS_KEY = web.AppKey("socket_proxy_open", set[web.WebSocketResponse])


class RateLimit:
    def __init__(self, max_frames: int = RATE_MAX_FRAMES,
                 window: float = RATE_WINDOW_SECONDS) -> None:
        self._max = max_frames
        self._window = window
        self._times: list[float] = []

    def allow(self, now: float) -> bool:
        self._times = [t for t in self._times if now - t < self._window]
        self._times.append(now)
        return len(self._times) <= self._max


async def _browser_to_rasa(browser: web.WebSocketResponse,
                           rasa: aiohttp.ClientWebSocketResponse) -> None:
    limit = RateLimit()
    async for message in browser:
        if message.type != WSMsgType.TEXT or not limit.allow(time.monotonic()):
            break
        await rasa.send_str(message.data)


async def _rasa_to_browser(rasa: aiohttp.ClientWebSocketResponse,
                           browser: web.WebSocketResponse) -> None:
    async for message in rasa:
        if message.type == WSMsgType.TEXT:
            await browser.send_str(message.data)
        elif message.type == WSMsgType.BINARY:
            await browser.send_bytes(message.data)
        else:
            break


async def socket_proxy(request: web.Request) -> web.StreamResponse:
    settings = request.app[SETTINGS_KEY]
    if not settings.origin_allowed(request):
        raise web.HTTPForbidden()
    if request.query.get("EIO") != "4" or request.query.get("transport") != "websocket":
        raise web.HTTPBadRequest(text="websocket transport only")
    browser = web.WebSocketResponse(max_msg_size=MAX_FRAME, autoping=True)
    if not browser.can_prepare(request).ok:
        raise web.HTTPBadRequest(text="websocket upgrade expected")
    url = settings.rasa_url.rstrip("/") + "/socket.io/?EIO=4&transport=websocket"
    try:
        rasa = await request.app[PROXY_SESSION_KEY].ws_connect(
            url, timeout=CONNECT_TIMEOUT.total or 10, max_msg_size=4 * MAX_FRAME)
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        logger.warning("socket.io relay: Rasa not reachable (%s)", type(error).__name__)
        raise web.HTTPBadGateway() from error
    await browser.prepare(request)
    request.app[OPEN_SOCKETS_KEY].add(browser)
    pumps = [asyncio.create_task(_browser_to_rasa(browser, rasa)),
             asyncio.create_task(_rasa_to_browser(rasa, browser))]
    try:
        await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pump in pumps:
            pump.cancel()
        for pump in pumps:
            with contextlib.suppress(asyncio.CancelledError, Exception):  # peer gone
                await pump
        request.app[OPEN_SOCKETS_KEY].discard(browser)
        await rasa.close()
        await browser.close()
    return browser


async def proxy_session(app: web.Application) -> AsyncIterator[None]:
    app[PROXY_SESSION_KEY] = aiohttp.ClientSession()
    app[OPEN_SOCKETS_KEY] = set()
    yield
    await app[PROXY_SESSION_KEY].close()


async def close_open_sockets(app: web.Application) -> None:
    sockets: set[web.WebSocketResponse] = app[OPEN_SOCKETS_KEY]
    for browser in list(sockets):
        await browser.close(code=aiohttp.WSCloseCode.GOING_AWAY)
