"""`POST /webhooks/{telegram|twilio_whatsapp|teams}/webhook` of our web app, relayed to Rasa.

Rasa listens on loopback only; the messaging platforms call our public web app, which passes
the request on unchanged (body and the headers the channels verify), and Rasa's answer back.
Verification happens in the connectors (connectors/telegram.py, …), not here."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import web

from bot.web.socket_proxy import PROXY_SESSION_KEY
from bot.web.widget_settings import SETTINGS_KEY

logger = logging.getLogger(__name__)

CHANNELS = ("telegram", "twilio_whatsapp", "teams")
PASSED_HEADERS = ("Content-Type", "Authorization", "X-Telegram-Bot-Api-Secret-Token",
                  "X-Twilio-Signature")
TIMEOUT = aiohttp.ClientTimeout(total=15)
MAX_BODY = 256 * 1024


async def relay(request: web.Request) -> web.Response:
    channel = request.match_info["channel"]
    body = await request.read()
    if len(body) > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(MAX_BODY, len(body))
    headers = {name: request.headers[name] for name in PASSED_HEADERS if name in request.headers}
    url = f"{request.app[SETTINGS_KEY].rasa_url.rstrip('/')}/webhooks/{channel}/webhook"
    try:
        async with request.app[PROXY_SESSION_KEY].post(url, data=body, headers=headers,
                                                       timeout=TIMEOUT) as answer:
            return web.Response(body=await answer.read(), status=answer.status,
                                content_type=answer.content_type)
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        logger.warning("webhook relay: Rasa not reachable for %s (%s)", channel,
                       type(error).__name__)
        raise web.HTTPBadGateway() from error


def add_relay_route(app: web.Application) -> None:
    app.router.add_post(r"/webhooks/{channel:" + "|".join(CHANNELS) + "}/webhook", relay)
