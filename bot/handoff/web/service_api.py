"""Internal API for the action server (Bearer HANDOFF_SERVICE_TOKEN):

* `POST /api/handoff/requests` → `{status: queued, position, reference, token}` or
  `{status: callback, reference, token}`, or `{status: full}` when the counter has too many
  requests waiting (one open request per conversation: asking again returns it, token null);
* `POST /api/handoff/contact` → the owner's phone or e-mail for their call-back request."""

from __future__ import annotations

import hmac
import re
from typing import Any

from aiohttp import web

from bot.handoff.contact import parse_contact
from bot.handoff.requests import NewRequest
from bot.handoff.web.services import services

COUNTER_RE = re.compile(r"[a-z0-9_-]{1,64}")
MAX_ID = 128
MAX_TEXT = 200
MAX_SUMMARY = 500


def authorize_service(request: web.Request) -> None:
    expected = services(request).config.service_token
    header = request.headers.get("Authorization", "")
    given = header[7:] if header.startswith("Bearer ") else ""
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        raise web.HTTPUnauthorized()


async def read_json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as error:
        raise web.HTTPBadRequest(text="invalid JSON") from error
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="expected an object")
    return body


def _text(body: dict[str, Any], key: str, limit: int = MAX_TEXT) -> str | None:
    value = body.get(key)
    return (value.strip()[:limit] or None) if isinstance(value, str) else None


def valid_conversation_id(body: dict[str, Any]) -> str:
    value = body.get("conversation_id")
    if not isinstance(value, str) or not 0 < len(value) <= MAX_ID:
        raise web.HTTPBadRequest(text="conversation_id")
    return value


async def create_request(request: web.Request) -> web.Response:
    authorize_service(request)
    body = await read_json_body(request)
    counter = body.get("counter")
    if not isinstance(counter, str) or not COUNTER_RE.fullmatch(counter):
        raise web.HTTPBadRequest(text="counter")
    new = NewRequest(
        conversation_id=valid_conversation_id(body), counter=counter,
        counter_name=_text(body, "counter_name") or counter,
        municipality=_text(body, "municipality"), topic=_text(body, "topic"),
        topic_title=_text(body, "topic_title"), summary=_text(body, "summary", MAX_SUMMARY) or "")
    outcome = await services(request).service.submit(new, body.get("counter_open") is True)
    return web.json_response({"status": outcome.status, "reference": outcome.reference,
                              "position": outcome.position, "token": outcome.owner_token})


async def save_contact(request: web.Request) -> web.Response:
    authorize_service(request)
    body = await read_json_body(request)
    reference = _text(body, "reference", 32)
    contact = parse_contact(_text(body, "contact") or "")
    if reference is None:
        raise web.HTTPBadRequest(text="reference")
    if contact is None:
        raise web.HTTPUnprocessableEntity(text="contact")
    saved = await services(request).service.save_contact(
        reference, valid_conversation_id(body), contact)
    if saved is None:
        raise web.HTTPNotFound()
    return web.json_response({"kind": contact.kind})
