"""Readiness of a web process: `/health` says the process runs, `/ready` that what it needs
answers (its databases, brokers). Each part of the app registers a named check when it sets
itself up; `/ready` runs them all with a deadline and answers 503 naming the ones that failed,
so a proxy or Kubernetes takes the replica out until they pass."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

logger = logging.getLogger(__name__)
Check = Callable[[web.Application], Awaitable[None]]
CHECKS_KEY = web.AppKey("readiness_checks", dict)
DEADLINE_SECONDS = 2.0


def add_check(app: web.Application, name: str, check: Check) -> None:
    if CHECKS_KEY not in app:
        app[CHECKS_KEY] = {}
    app[CHECKS_KEY][name] = check


async def _passes(app: web.Application, name: str, check: Check) -> bool:
    try:
        await asyncio.wait_for(check(app), DEADLINE_SECONDS)
        return True
    except Exception as error:  # any failure means not ready; the kind is logged, no details
        logger.warning("readiness check %s failed: %s", name, type(error).__name__)
        return False


async def ready(request: web.Request) -> web.Response:
    checks: dict[str, Check] = request.app.get(CHECKS_KEY, {})
    names = sorted(checks)
    results = await asyncio.gather(*(_passes(request.app, n, checks[n]) for n in names))
    failed = [name for name, ok in zip(names, results, strict=True) if not ok]
    if failed:
        return web.json_response({"status": "not ready", "failed": failed}, status=503)
    return web.json_response({"status": "ready", "checks": names})
