"""Rate limits of the web app's public endpoints, per client address and per conversation, in
one middleware (the handlers stay as they are).

* messages and new conversations (`POST /api/chat`, `POST /api/chat/reset`): `CHAT_RATE_LIMIT`
  per address (60/60), `CHAT_CONVERSATION_RATE_LIMIT` per conversation (20/60, `/api/chat`);
* widget connections (`GET /socket.io/`): `SOCKET_RATE_LIMIT` per address (30/60); the frames
  of one connection, i.e. one widget conversation, are limited in socket_proxy.py;
* uploads (`POST /api/chat/documents`, the widget's `POST /api/widget/documents`):
  `UPLOAD_RATE_LIMIT` per address (20/600),
  `UPLOAD_CONVERSATION_RATE_LIMIT` per conversation (10/600; documents sent on Telegram and
  WhatsApp count against the same limit per conversation, connectors/documents.py);
* polls (`GET /api/chat/history`, `/api/chat/updates`, `/api/handoff/{id}/messages`):
  `POLL_RATE_LIMIT` per address (600/60);
* messaging platforms' webhooks (`POST /webhooks/{channel}/webhook`, relayed to Rasa, which
  checks their signatures): `WEBHOOK_RATE_LIMIT` per address (600/60; the platforms send from
  a few addresses, so only a flood from one address is cut).

The conversation is the session cookie's (the chat page's), for the widget's uploads the id in
`X-Conversation-Id` (the upload route checks its signature); without one only the per-address
limit applies. Feedback (`FEEDBACK_RATE_LIMIT`) and officer log-ins
(`OFFICER_LOGIN_RATE_LIMIT`) have their own. The client address is `client_address`
(X-Forwarded-For only from our proxy). Limits are `COUNT/SECONDS`, in Redis in the production
profile (bot/ratelimit.py). `RATE_LIMITS=off` switches the per-address ones off; the
per-conversation ones stay. Beyond a limit: 429 with `Retry-After` and the Dutch
`rate_limited` text of content/web.yml (the chat page shows it as the assistant's answer)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.ratelimit import (
    UPLOAD_CONVERSATION_DEFAULT,
    UPLOAD_CONVERSATION_ENV,
    Limit,
    RateLimiter,
    limit_from_env,
    limiter_from_env,
)
from bot.web.feedback_api import cors_headers
from bot.web.widget_settings import SETTINGS_KEY
from bot.webcore.client_address import client_address
from bot.webcore.owner_session import session_id
from bot.webcore.texts import load_texts

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TEXT_KEY = "rate_limited"


@dataclass(frozen=True)
class Rule:
    env: str
    default: str
    per_address: bool


CHAT = Rule("CHAT_RATE_LIMIT", "60/60", per_address=True)
CHAT_CONVERSATION = Rule("CHAT_CONVERSATION_RATE_LIMIT", "20/60", per_address=False)
SOCKET = Rule("SOCKET_RATE_LIMIT", "30/60", per_address=True)
UPLOAD = Rule("UPLOAD_RATE_LIMIT", "20/600", per_address=True)
UPLOAD_CONVERSATION = Rule(UPLOAD_CONVERSATION_ENV, UPLOAD_CONVERSATION_DEFAULT,
                           per_address=False)
POLL = Rule("POLL_RATE_LIMIT", "600/60", per_address=True)
WEBHOOK = Rule("WEBHOOK_RATE_LIMIT", "600/60", per_address=True)
RULES = (CHAT, CHAT_CONVERSATION, SOCKET, UPLOAD, UPLOAD_CONVERSATION, POLL, WEBHOOK)

# (method, route pattern) -> the rules it counts against
ROUTES: Mapping[tuple[str, str], tuple[Rule, ...]] = {
    ("POST", "/api/chat"): (CHAT, CHAT_CONVERSATION),
    ("POST", "/api/chat/reset"): (CHAT,),
    ("GET", "/socket.io/"): (SOCKET,),
    ("POST", "/api/chat/documents"): (UPLOAD, UPLOAD_CONVERSATION),
    ("POST", "/api/widget/documents"): (UPLOAD, UPLOAD_CONVERSATION),
    ("GET", "/api/chat/history"): (POLL,),
    ("GET", "/api/chat/updates"): (POLL,),
    ("GET", "/api/handoff/{conversation_id}/messages"): (POLL,),
    ("POST", "/webhooks/{channel}/webhook"): (WEBHOOK,),
}


WIDGET_UPLOAD = "/api/widget/documents"
MAX_CONVERSATION_KEY = 200


def conversation_of(request: web.Request) -> str | None:
    """The conversation a per-conversation limit counts for."""
    if request.path == WIDGET_UPLOAD:
        return request.headers.get("X-Conversation-Id", "")[:MAX_CONVERSATION_KEY] or None
    return session_id(request)


@dataclass
class PublicLimits:
    limiters: dict[str, RateLimiter]
    windows: dict[str, Limit]
    texts_path: Path  # content/web.yml

    @classmethod
    def from_env(cls, texts_path: Path, env: Mapping[str, str]) -> PublicLimits:
        return cls(
            limiters={rule.env: limiter_from_env(rule.env, rule.default,
                                                 per_address=rule.per_address, env=env)
                      for rule in RULES},
            windows={rule.env: limit_from_env(rule.env, rule.default, env) for rule in RULES},
            texts_path=texts_path)

    async def over_limit(self, request: web.Request, rules: tuple[Rule, ...]) -> Rule | None:
        """The first rule the request breaks (its hit is not counted in the later ones)."""
        for rule in rules:
            key = client_address(request) if rule.per_address else conversation_of(request)
            if key is not None and not await self.limiters[rule.env].hit(key):
                return rule
        return None

    def refusal(self, request: web.Request, rule: Rule) -> web.Response:
        text = load_texts(self.texts_path).get(TEXT_KEY, "")
        body: dict[str, Any] = {"rate_limited": True, "ok": False, "message": text}
        if request.path == "/api/chat":
            body["messages"] = [{"text": text}]
        retry = str(max(1, math.ceil(self.windows[rule.env].seconds)))
        headers = {"Retry-After": retry}
        widget = request.app.get(SETTINGS_KEY) if request.path == WIDGET_UPLOAD else None
        if widget is not None:  # the widget's page may read the Dutch text
            headers.update(cors_headers(request, widget))
        return web.json_response(body, status=429, headers=headers)

    async def close(self) -> None:
        for limiter in self.limiters.values():
            close = getattr(limiter, "close", None)
            if close is not None:
                await close()


LIMITS_KEY = web.AppKey("public_limits", PublicLimits)


@web.middleware
async def public_limits(request: web.Request, handler: Handler) -> web.StreamResponse:
    limits = request.app.get(LIMITS_KEY)
    resource = request.match_info.route.resource
    rules = ROUTES.get((request.method, resource.canonical)) if resource is not None else None
    if limits is not None and rules:
        broken = await limits.over_limit(request, rules)
        if broken is not None:
            return limits.refusal(request, broken)
    return await handler(request)


def setup_public_limits(app: web.Application, texts_path: Path, env: Mapping[str, str]) -> None:
    """Call from the app factory; the middleware itself is in the app's middleware list."""
    app[LIMITS_KEY] = PublicLimits.from_env(texts_path, env)

    async def close_limiters(app: web.Application) -> AsyncIterator[None]:
        yield
        await app[LIMITS_KEY].close()

    app.cleanup_ctx.append(close_limiters)
