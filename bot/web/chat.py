"""Handlers of the owner's chat page: the page itself and a JSON proxy to Rasa."""

from __future__ import annotations

import html
import secrets
from pathlib import Path
from string import Template
from typing import Any

from aiohttp import web

from bot.text_input import MAX_CHARS
from bot.web.rasa_client import RasaClient, RasaUnavailable
from bot.webcore.owner_session import session_id, set_session
from bot.webcore.texts import load_texts

TEMPLATE_KEY = web.AppKey("chat_template", Template)
RASA_KEY = web.AppKey("rasa_client", RasaClient)
TEXTS_PATH_KEY = web.AppKey("texts_path", Path)


async def page(request: web.Request) -> web.Response:
    texts = load_texts(request.app[TEXTS_PATH_KEY])
    escaped = {key: html.escape(value, quote=True) for key, value in texts.items()}
    body = request.app[TEMPLATE_KEY].safe_substitute(escaped)
    response = web.Response(text=body, content_type="text/html")
    if session_id(request) is None:
        set_session(request, response, secrets.token_urlsafe(24))
    return response


async def send_message(request: web.Request) -> web.Response:
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType()
    try:
        body: Any = await request.json()
    except ValueError:
        body = {}
    text = body.get("message") if isinstance(body, dict) else None
    if not isinstance(text, str):
        text = ""
    sid = session_id(request) or secrets.token_urlsafe(24)
    metadata = {key: body[key] for key in ("municipality", "nis", "tenant")
                if isinstance(body, dict) and isinstance(body.get(key), str)}
    try:
        messages = await request.app[RASA_KEY].send(sid, text[: MAX_CHARS * 10], metadata)
        payload: dict[str, Any] = {"messages": messages}
    except RasaUnavailable:
        payload = {"messages": [], "unavailable": True}
    response = web.json_response(payload)
    if session_id(request) != sid:
        set_session(request, response, sid)
    return response


async def reset(request: web.Request) -> web.Response:
    response = web.json_response({"ok": True})
    set_session(request, response, secrets.token_urlsafe(24))
    return response


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})
