"""The owner's conversation id: a random token in an HttpOnly cookie, so nobody can post into,
or read, another owner's conversation through the web app."""

from __future__ import annotations

import re

from aiohttp import web

SESSION_COOKIE = "olk_session"
SESSION_MAX_AGE = 60 * 60 * 24
SECURE_KEY = web.AppKey("secure_cookies", bool)
_SESSION_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def session_id(request: web.Request) -> str | None:
    value = request.cookies.get(SESSION_COOKIE, "")
    return value if _SESSION_RE.fullmatch(value) else None


def set_session(request: web.Request, response: web.StreamResponse, value: str) -> None:
    response.set_cookie(SESSION_COOKIE, value, max_age=SESSION_MAX_AGE, httponly=True,
                        samesite="Strict", secure=request.app[SECURE_KEY], path="/")
