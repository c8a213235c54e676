"""Officer log-in and log-out, the session cookie and CSRF checks.

The session cookie is random (only its hash is stored), HttpOnly, SameSite=Strict, limited to
/officer and Secure when SECURE_COOKIES=true. Every POST carries the session's CSRF token (form
field `csrf` or header X-CSRF-Token); the log-in form uses a double-submit cookie.

Log-in attempts are limited per client address (OFFICER_LOGIN_RATE_LIMIT, off with
RATE_LIMITS=off) on top of the per-account lock-out in `OfficerStore`."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping

from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from bot.handoff.officers import Session
from bot.handoff.web.pages import page
from bot.handoff.web.render import render
from bot.handoff.web.services import fill, services
from bot.webcore.client_address import client_address

SESSION_COOKIE = "olk_officer"
LOGIN_COOKIE = "olk_officer_login"
COOKIE_PATH = "/officer"


def _set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str,
                max_age: int | None = None) -> None:
    secure = services(request).config.secure_cookies
    response.set_cookie(name, value, httponly=True, samesite="Strict", secure=secure,
                        path=COOKIE_PATH, max_age=max_age)


async def read_form(request: web.Request) -> MultiDictProxy[str | bytes | web.FileField]:
    """The posted form; an empty one when the body cannot be read as a form in its charset
    (bytes that are not text, an unknown charset): a refusal then, never a 500."""
    try:
        return await request.post()
    except (ValueError, LookupError):
        return MultiDictProxy(MultiDict())


async def current_session(request: web.Request) -> Session | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token or len(token) > 128:
        return None
    return await services(request).officers.session(token)


async def require_session(request: web.Request, page: bool = False) -> Session:
    """The officer's session; without one, a page redirects to the log-in page and anything
    else (fragments, events, form posts) gets 401."""
    session = await current_session(request)
    if session is not None:
        return session
    if page:
        raise web.HTTPSeeOther("/officer/login")
    raise web.HTTPUnauthorized()


def tokens_match(expected: str, given: object) -> bool:
    return isinstance(given, str) and bool(expected) and hmac.compare_digest(
        expected.encode(), given.encode())


def require_csrf(request: web.Request, session: Session, form: Mapping[str, object]) -> None:
    given = form.get("csrf") or request.headers.get("X-CSRF-Token")
    if not tokens_match(session.csrf, given):
        raise web.HTTPForbidden(text="CSRF token missing or wrong")


def _login_response(request: web.Request, name: str = "", error: str | None = None,
                    status: int = 200) -> web.Response:
    texts = services(request).texts()
    csrf = secrets.token_urlsafe(32)
    content = render("login.html", heading=texts["login_heading"], intro=texts["login_intro"],
                     csrf=csrf, name_label=texts["name_label"], name=name,
                     password_label=texts["password_label"], submit=texts["login_submit"])
    response = page(texts, title=texts["login_title"], content=content, status=status,
                    notice=error, notice_kind="error")
    _set_cookie(request, response, LOGIN_COOKIE, csrf)
    return response


async def login_page(request: web.Request) -> web.Response:
    if await current_session(request) is not None:
        raise web.HTTPSeeOther("/officer/")
    return _login_response(request)


async def login(request: web.Request) -> web.Response:
    hub = services(request)
    texts = hub.texts()
    form = await read_form(request)
    if not tokens_match(request.cookies.get(LOGIN_COOKIE, ""), form.get("csrf")):
        return _login_response(request, error=texts["login_expired"], status=403)
    name = str(form.get("name") or "").strip()[:100]
    password = str(form.get("password") or "")
    if not await hub.login_limiter.hit(client_address(request)):
        await hub.audit.record(None, "login_rate_limited", name)
        return _login_response(request, name=name, error=texts["login_too_many"], status=429)
    result = await hub.officers.authenticate(name, password)
    if result.outcome == "busy":
        return _login_response(request, name=name, error=texts["login_too_many"], status=503)
    if result.outcome != "ok" or result.officer is None:
        officer_id = result.officer.id if result.officer else None
        await hub.audit.record(officer_id, f"login_{result.outcome}", name)
        policy = hub.officers.policy
        error = fill(texts["login_failed"], attempts=policy.max_failed,
                     minutes=int(policy.lockout_seconds // 60))
        return _login_response(request, name=name, error=error, status=401)
    token, _csrf = await hub.officers.start_session(result.officer)
    await hub.audit.record(result.officer.id, "login", result.officer.name)
    response = web.HTTPSeeOther("/officer/")
    _set_cookie(request, response, SESSION_COOKIE, token)
    response.del_cookie(LOGIN_COOKIE, path=COOKIE_PATH)
    raise response


async def logout(request: web.Request) -> web.Response:
    session = await require_session(request)
    require_csrf(request, session, await read_form(request))
    hub = services(request)
    await hub.officers.end_session(session)
    await hub.audit.record(session.officer.id, "logout", session.officer.name)
    response = web.HTTPSeeOther("/officer/login")
    response.del_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    raise response
