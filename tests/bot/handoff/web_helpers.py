"""Helpers for tests of the hand-off web layer: an app with a fake Rasa, officer log-in."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from bot.handoff.web.services import HOLDER_KEY, Services
from tests.bot.handoff.conftest import PASSWORD

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
SERVICE_TOKEN = "test-service-token-123"


def hub(client: TestClient) -> Services:
    services = client.server.app[HOLDER_KEY].services
    assert services is not None
    return services


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


async def login(client: TestClient, name: str, password: str = PASSWORD) -> Any:
    page = await client.get("/officer/login")
    token = csrf_of(await page.text())
    return await client.post("/officer/login", allow_redirects=False,
                             data={"csrf": token, "name": name, "password": password})


async def login_ok(client: TestClient, name: str) -> str:
    """Log in and return the session's CSRF token from the queue page."""
    response = await login(client, name)
    assert response.status == 303, await response.text()
    page = await client.get("/officer/")
    assert page.status == 200
    return csrf_of(await page.text())


def bearer(token: str = SERVICE_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
