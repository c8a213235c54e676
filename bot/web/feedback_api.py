"""`POST /api/feedback`: a thumbs up or down on one answer of the widget.

Body: {conversation_id, message_id, vote: "up"|"down", topic?, municipality?, tenant?}.
Only known topics, Flemish municipalities and configured tenants are stored (anything else is
stored as null), so the insights are not polluted by made-up values. Pages of other sites than
ours and the configured municipal sites are refused (CORS and an Origin check).

A vote is accepted only for a bot message that exists in that conversation: the web app reads
the conversation's tracker from Rasa's HTTP API and recomputes the message ids
(`bot.message_ids`; the widget got them in `bot_uttered`). The topic stored is the one of that
message, not what the client says. One vote per message (`FeedbackStore.record_once`): a repeat
is harmless, a different vote later gets 409. Bodies are read with a cap (FEEDBACK_MAX_BODY
bytes), whatever Content-Length says, so chunked bodies are limited too. Votes are limited per
client address (FEEDBACK_RATE_LIMIT, off with RATE_LIMITS=off); when Rasa cannot be asked the
vote is refused (503), never stored unchecked."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from bot.feedback import Feedback, FeedbackStore
from bot.handoff.rasa_api import RasaApiError
from bot.handoff.web.services import services
from bot.message_ids import bot_messages, event_topic
from bot.ratelimit import RateLimiter, Unlimited, limiter_from_env
from bot.web.rasa_client import RasaUnavailable
from bot.web.widget_settings import SETTINGS_KEY, WidgetSettings
from bot.webcore.client_address import client_address

_ID_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
_SLUG_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")
MAX_BODY = 2048
STORE_KEY = web.AppKey("feedback_store", FeedbackStore)


class EventSource(Protocol):
    async def events(self, sender: str) -> list[dict[str, Any]]: ...


@dataclass
class FeedbackGate:
    """What every public vote passes: the per-address limit and the body cap."""

    limiter: RateLimiter = field(default_factory=Unlimited)
    max_body: int = MAX_BODY

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> FeedbackGate:
        return cls(limiter_from_env("FEEDBACK_RATE_LIMIT", "30/60", per_address=True, env=env),
                   int(env.get("FEEDBACK_MAX_BODY", MAX_BODY)))


GATE_KEY = web.AppKey("feedback_gate", FeedbackGate)


def gate(request: web.Request) -> FeedbackGate:
    return request.app.get(GATE_KEY) or FeedbackGate()


async def read_json_capped(request: web.Request, limit: int,
                           headers: Mapping[str, str] | None = None) -> Any:
    """The JSON body, read at most `limit` bytes far (413 beyond), whatever Content-Length
    says or whether the body is chunked. ValueError when it is not JSON."""
    too_large = web.HTTPRequestEntityTooLarge(limit, request.content_length or limit + 1,
                                              headers=headers)
    if (request.content_length or 0) > limit:
        raise too_large
    body = bytearray()
    while True:
        chunk = await request.content.readany()
        if not chunk:
            break
        body += chunk
        if len(body) > limit:
            raise too_large
    return json.loads(body.decode("utf-8"))


class HandoffTrackers:
    """Rasa's trackers through the hand-off's client of Rasa's HTTP API (the web app's one
    authenticated reader of conversations)."""

    def __init__(self, request: web.Request) -> None:
        self._request = request

    async def events(self, sender: str) -> list[dict[str, Any]]:
        try:
            tracker = await services(self._request).rasa.tracker(sender)
        except (RasaApiError, web.HTTPServiceUnavailable) as error:
            raise RasaUnavailable(type(error).__name__) from error
        events = tracker.get("events") if isinstance(tracker, dict) else None
        return [e for e in events or [] if isinstance(e, dict)]


async def sent_messages(source: EventSource, conversation_id: str
                        ) -> dict[str, Mapping[str, Any]] | None:
    """The bot messages of a conversation by id, or None when Rasa cannot be asked."""
    try:
        events = await source.events(conversation_id)
    except RasaUnavailable:
        return None
    return bot_messages(conversation_id, events)


def with_topic(feedback: Feedback, topic: str | None, settings: WidgetSettings) -> Feedback:
    """The vote with the topic of the message it is for (checked against the catalog)."""
    return dataclasses.replace(
        feedback, topic=_known_file(settings.content_dir / "topics", topic))


async def store_vote(request: web.Request, feedback: Feedback,
                     headers: Mapping[str, str] | None = None) -> web.Response:
    outcome = await asyncio.to_thread(request.app[STORE_KEY].record_once, feedback)
    if outcome == "conflict":
        return web.json_response({"ok": False, "reason": "already_voted"}, status=409,
                                 headers=headers)
    return web.json_response({"ok": True}, headers=headers)


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
    limits = gate(request)
    if not await limits.limiter.hit(client_address(request)):
        return web.json_response({"ok": False}, status=429, headers=headers)
    try:
        body = await read_json_capped(request, limits.max_body, headers)
        feedback = await asyncio.to_thread(parse_feedback, body, settings)
    except (ValueError, InvalidFeedback):
        return web.json_response({"ok": False}, status=400, headers=headers)
    messages = await sent_messages(HandoffTrackers(request), feedback.conversation_id)
    if messages is None:
        return web.json_response({"ok": False}, status=503, headers=headers)
    message = messages.get(feedback.message_id)
    if message is None:
        return web.json_response({"ok": False, "reason": "unknown_message"}, status=404,
                                 headers=headers)
    return await store_vote(request, with_topic(feedback, event_topic(message), settings),
                            headers)
