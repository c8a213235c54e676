"""A real dossier service (SQLite) and the web app with the console, wired as `make run` does:
the web app holds an all-counter token of DOSSIER_OFFICER_TOKENS and acts for the officer."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.dossiers.service.app import create_dossier_app
from bot.dossiers.service.sqlite_storage import SqliteStorage
from bot.handoff.web.services import HOLDER_KEY
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.dossier_fixtures import SERVICE_TOKEN, submission
from tests.bot.handoff.conftest import (  # noqa: F401  (cheap hashing is an autouse fixture)
    PASSWORD,
    FakeRasa,
    cheap_password_hashing,
)
from tests.bot.handoff.web_helpers import csrf_of, hub, login
from tests.web.test_chat import FakeRasa as FakeChat

CONSOLE_TOKEN = "console-token-" + "c" * 24
GENT = "gent-economie"
AALST = "aalst-ondernemersloket"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


class Stack:
    def __init__(self, web: TestClient, service: TestClient, rasa: FakeRasa) -> None:
        self.web = web
        self.service = service
        self.rasa = rasa
        self._keys = 0

    async def submit(self, **overrides: Any) -> str:
        self._keys += 1
        response = await self.service.post(
            "/api/dossiers", json=submission(**overrides),
            headers={"Authorization": f"Bearer {SERVICE_TOKEN}",
                     "Idempotency-Key": f"test-key-{self._keys:06d}"})
        assert response.status == 201, await response.text()
        return str((await response.json())["reference"])

    async def login(self, name: str) -> str:
        """Log `name` in on this client and return the session's CSRF token."""
        response = await login(self.web, name)
        assert response.status == 303, await response.text()
        page = await self.web.get("/officer/dossiers")
        assert page.status == 200, await page.text()
        return csrf_of(await page.text())

    async def audit(self) -> list[tuple[str, str | None]]:
        return [(e.action, e.target) for e in await hub(self.web).audit.entries()]


@pytest.fixture()
async def dossier_service(tmp_path) -> AsyncIterator[TestClient]:
    storage = SqliteStorage(tmp_path / "dossiers.sqlite3")
    officers = {CONSOLE_TOKEN: {"officer": "console", "counters": ["*"]}}
    app = create_dossier_app(storage, officers, service_token=SERVICE_TOKEN)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()
    await storage.close()


async def web_app(aiohttp_client, monkeypatch, tmp_path, service_url: str, rasa: FakeRasa,
                  tokens: str) -> TestClient:
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("DOSSIER_SERVICE_URL", service_url)
    monkeypatch.setenv("DOSSIER_SERVICE_TOKEN", SERVICE_TOKEN)  # the chat's document uploads
    monkeypatch.setenv("DOSSIER_OFFICER_TOKENS", tokens)
    app = create_app(WebConfig(), rasa=FakeChat())  # type: ignore[arg-type]
    app[HOLDER_KEY].tracker_api = rasa
    client = await aiohttp_client(app)
    officers = hub(client).officers
    await officers.create("sofie", PASSWORD, [GENT], display_name="Sofie Claes")
    await officers.create("jan", PASSWORD, [GENT, AALST], display_name="Jan Peeters")
    await officers.create("piet", PASSWORD, [AALST], display_name="Piet Aerts")
    return client


@pytest.fixture()
async def stack(aiohttp_client, monkeypatch, tmp_path, dossier_service) -> Stack:
    rasa = FakeRasa()
    url = str(dossier_service.make_url("")).rstrip("/")
    tokens = json.dumps({CONSOLE_TOKEN: {"officer": "console", "counters": ["*"]}})
    client = await web_app(aiohttp_client, monkeypatch, tmp_path, url, rasa, tokens)
    return Stack(client, dossier_service, rasa)
