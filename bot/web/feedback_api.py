"""`POST /api/feedback`: a thumbs up or down on one answer of the widget.

Body: {conversation_id, message_id, vote: "up"|"down", topic?, municipality?, tenant?}.
Only known topics, Flemish municipalities and configured tenants are stored (anything else is
stored as null), so the insights are not polluted by made-up values. Pages of other sites than
ours and the configured municipal sites are refused (CORS and an Origin check)."""

from __future__ import annotations

import asyncio
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.feedback import Feedback, FeedbackStore
from bot.web.widget_settings import SETTINGS_KEY, WidgetSettings

_ID_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
_SLUG_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")
MAX_BODY = 2048
STORE_KEY = web.AppKey("feedback_store", FeedbackStore)


class InvalidFeedback(ValueError):
    """The body is not a vote on an answer."""


@lru_cache(maxsize=2)
def _registry(reference_dir: Path) -> Any:
    from bot.municipalities import MunicipalityRegistry

    return MunicipalityRegistry.from_csv(reference_dir)


def _known_file(directory: Path, value: Any) -> str | None:
    if isinstance(value, str) and _SLUG_RE.fullmatch(value) and \
            (directory / f"{value}.yml").is_file():
        return value
    return None


def _municipality(content_dir: Path, value: Any) -> str | None:
    if not isinstance(value, str) or not 0 < len(value) <= 60:
        return None
    resolution = _registry(content_dir / "reference").resolve(value)
    if resolution.status != "found":
        return None
    name = str(resolution.municipality.name)
    return name if name.casefold() == value.strip().casefold() else None


def parse_feedback(body: Any, settings: WidgetSettings) -> Feedback:
    if not isinstance(body, dict):
        raise InvalidFeedback("not an object")
    conversation, message = body.get("conversation_id"), body.get("message_id")
    if not (isinstance(conversation, str) and _ID_RE.fullmatch(conversation)
            and isinstance(message, str) and _ID_RE.fullmatch(message)):
        raise InvalidFeedback("ids")
    vote = body.get("vote")
    if vote not in ("up", "down"):
        raise InvalidFeedback("vote")
    content = settings.content_dir
    return Feedback(conversation, message, vote,
                    topic=_known_file(content / "topics", body.get("topic")),
                    municipality=_municipality(content, body.get("municipality")),
                    tenant=_known_file(content / "tenants", body.get("tenant")))


def cors_headers(request: web.Request, settings: WidgetSettings) -> dict[str, str]:
    origin = request.headers.get("Origin")
    if origin is None or not settings.origin_allowed(request):
        return {"Vary": "Origin"}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


async def preflight(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS_KEY]
    if not settings.origin_allowed(request):
        raise web.HTTPForbidden()
    return web.Response(status=204, headers={
        **cors_headers(request, settings), "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": "600"})


async def post_feedback(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS_KEY]
    if not settings.origin_allowed(request):
        raise web.HTTPForbidden()
    headers = cors_headers(request, settings)
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(headers=headers)
    if (request.content_length or 0) > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(MAX_BODY, request.content_length or 0,
                                            headers=headers)
    try:
        body = await request.json()
        feedback = await asyncio.to_thread(parse_feedback, body, settings)
    except (ValueError, InvalidFeedback):
        return web.json_response({"ok": False}, status=400, headers=headers)
    await asyncio.to_thread(request.app[STORE_KEY].record, feedback)
    return web.json_response({"ok": True}, headers=headers)
