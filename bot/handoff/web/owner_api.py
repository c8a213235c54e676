"""Hand-off state and officer messages for the owner: our chat page polls
`GET /api/chat/updates` (cookie session); REST clients use
`GET /api/handoff/{conversation_id}/messages` with the token from `custom.handoff` in the
header `Authorization: Bearer <token>`, so it never ends up in URLs and access logs. The older
`?token=…` form still works for existing clients (deprecated; the access log masks it)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.handoff.web.services import Services, fill, services
from bot.webcore.owner_session import session_id

MAX_TOKEN = 128
MAX_MESSAGE_ID = 2**63 - 1  # SQLite's largest integer: a bigger `after` would not bind


def _after(request: web.Request) -> int:
    try:
        return min(MAX_MESSAGE_ID, max(0, int(request.query.get("after", "0"))))
    except ValueError:
        return 0


async def updates_for(hub: Services, conversation_id: str, after: int) -> dict[str, Any]:
    request = await hub.requests.latest_for_conversation(conversation_id)
    handoff = None
    if request is not None:
        handoff = {"status": request.status, "counter": request.counter,
                   "position": await hub.requests.position(request),
                   "reference": request.reference}
    label = hub.texts()["owner_officer_label"]
    messages = [{"id": m.id, "author": m.author, "officer": m.officer, "text": m.text,
                 "at": m.created_at,
                 "label": fill(label, officer=m.officer or "") if m.author == "officer" else None}
                for m in await hub.outbox.after(conversation_id, after)]
    last_id = messages[-1]["id"] if messages else after
    return {"handoff": handoff, "messages": messages, "last_id": last_id}


def _json(payload: dict[str, Any]) -> web.Response:
    response = web.json_response(payload)
    response.headers["Cache-Control"] = "no-store"
    return response


async def chat_updates(request: web.Request) -> web.Response:
    conversation_id = session_id(request)
    if conversation_id is None:
        return _json({"handoff": None, "messages": [], "last_id": 0})
    return _json(await updates_for(services(request), conversation_id, _after(request)))


async def rest_messages(request: web.Request) -> web.Response:
    hub = services(request)
    conversation_id = request.match_info["conversation_id"]
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.startswith("Bearer ") else \
        request.query.get("token", "")
    if not token or len(token) > MAX_TOKEN or \
            not await hub.requests.owner_token_matches(conversation_id, token):
        raise web.HTTPNotFound()
    return _json(await updates_for(hub, conversation_id, _after(request)))
