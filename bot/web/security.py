"""Security headers for every response of the web app; a Cookie header that aiohttp cannot
parse loses its unparsable parts instead of making every handler fail with a 500."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http.cookies import CookieError, SimpleCookie

from aiohttp import hdrs, web
from multidict import CIMultiDict

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'; "
       "object-src 'none'")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _parses(raw: str) -> bool:
    try:
        SimpleCookie(raw)
    except CookieError:
        return False
    return True


def legal_cookies(request: web.Request) -> web.Request:
    """The request itself, or a copy whose Cookie header keeps only the parts that parse
    (a stray illegal cookie name makes aiohttp's `request.cookies` raise)."""
    raw = request.headers.get(hdrs.COOKIE)
    if not raw or _parses(raw):
        return request
    kept = [part.strip() for part in raw.split(";") if part.strip() and _parses(part)]
    headers = CIMultiDict(request.headers)
    del headers[hdrs.COOKIE]
    if kept:
        headers[hdrs.COOKIE] = "; ".join(kept)
    return request.clone(headers=headers)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(legal_cookies(request))
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    return response
