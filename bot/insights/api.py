"""`GET /api/insights/summary?from=YYYY-MM-DD&to=YYYY-MM-DD[&nis=NNNNN]` (docs/insights-api.md).

`Authorization: Bearer <token>`; tokens and their counters come from INSIGHTS_API_TOKENS and
are compared in constant time. A token sees only the municipalities of its counters."""

from __future__ import annotations

import asyncio
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from aiohttp import web

from bot.insights.config import InsightsConfig
from bot.insights.db import Database
from bot.insights.scope import Scope
from bot.insights.summary import Period, summary

MAX_DAYS = 400
_NIS = re.compile(r"\d{5}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class InsightsApi:
    config: InsightsConfig
    db: Database
    scope: Scope
    file_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # the reviewed training file


API_KEY = web.AppKey("insights_api", InsightsApi)


def token_counters(tokens: Mapping[str, tuple[str, ...]], header: str | None
                   ) -> tuple[str, ...] | None:
    """The counters of the bearer token, or None. Every token is compared (constant time)."""
    if not header or not header.startswith("Bearer "):
        return None
    given = header.removeprefix("Bearer ").strip().encode("utf-8")
    found: tuple[str, ...] | None = None
    for token, counters in tokens.items():
        if hmac.compare_digest(token.encode("utf-8"), given):
            found = counters
    return found


def _error(status: int, reason: str, **headers: str) -> web.Response:
    return web.json_response({"error": reason}, status=status,
                             headers={"Cache-Control": "no-store", **headers})


def _day(value: str | None) -> date | None:
    if value is None or not _DAY.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


async def get_summary(request: web.Request) -> web.Response:
    api = request.app[API_KEY]
    counters = token_counters(api.config.api_tokens, request.headers.get("Authorization"))
    if counters is None:
        return _error(401, "unauthorized", **{"WWW-Authenticate": "Bearer"})
    start, end = _day(request.query.get("from")), _day(request.query.get("to"))
    if start is None or end is None:
        return _error(400, "from and to must be dates (YYYY-MM-DD)")
    if end < start or (end - start).days > MAX_DAYS:
        return _error(400, f"to must not be before from, at most {MAX_DAYS} days apart")
    allowed = api.scope.municipalities(counters)
    nis = request.query.get("nis")
    always: tuple[str, ...] = ()
    if nis is not None:
        if not _NIS.fullmatch(nis) or nis not in api.scope.names:
            return _error(400, "nis must be the 5-digit NIS code of a Flemish municipality")
        if allowed is not None and nis not in allowed:
            return _error(403, "this municipality is not served by the token's counters")
        allowed, always = frozenset({nis}), (nis,)
    if allowed is not None and not allowed:
        body = {"from": start.isoformat(), "to": end.isoformat(), "municipalities": []}
        return web.json_response(body, headers={"Cache-Control": "no-store"})
    async with api.db.transaction() as tx:
        body = await summary(tx, Period(start, end), sorted(allowed) if allowed else None,
                             api.scope.names.get, api.config.min_count, always)
    return web.json_response(body, headers={"Cache-Control": "no-store"})
