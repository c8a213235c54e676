"""Two web app replicas behind HAProxy, as the production profile runs them: the hand-off
database in this machine's PostgreSQL (a throw-away database) and the live events in Redis.
An officer logs in once and every replica knows the session; requests for an officer made
through the proxy reach the officer's event stream whichever replica took them."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from launcher import Stack, StackPlan, plan_isolated
from launcher.proxy import find_haproxy
from tests.bot.handoff.test_web_api import BODY
from tests.conftest import require_service

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "een-lang-wachtwoord-42"
SERVICE_TOKEN = "web-replicas-service-token-" + "x" * 8


def _admin(sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(POSTGRES_ADMIN)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


@pytest.fixture()
def database() -> Iterator[str]:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    require_service("Redis", "127.0.0.1", 6379)
    if not os.access(find_haproxy(os.environ), os.X_OK):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("haproxy missing (scripts/install_haproxy.sh), required in CI")
        pytest.skip("haproxy missing (scripts/install_haproxy.sh)")
    name = "olk_web_replicas_" + secrets.token_hex(4)
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def web_plan(tmp_path: Path, database: str) -> StackPlan:
    return plan_isolated(tmp_path, profile="production", overrides={
        "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432", "POSTGRES_USER": "postgres",
        "POSTGRES_PASSWORD": "", "POSTGRES_DB": database,
        # Given outright: the launcher derives it from the caller's POSTGRES_*, not from
        # overrides, so a test would otherwise write into another database.
        "HANDOFF_DB_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
        "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379",
        "REDIS_KEY_PREFIX": f"test-web-replicas-{secrets.token_hex(4)}",
        "HANDOFF_SERVICE_TOKEN": SERVICE_TOKEN, "INSIGHTS": "off",
        "PURGE_INTERVAL_SECONDS": "off"})


def create_officer(plan: StackPlan) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.handoff", "create-officer", "--name", "sofie",
         "--counter", "aalst", "--password-stdin", "--any-counter"],
        input=PASSWORD + "\n", text=True, cwd=plan.config.root,
        env=plan.env_of(plan.members("web")[0]), capture_output=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


async def read_event(stream: aiohttp.ClientResponse) -> str:
    lines: list[str] = []
    while True:
        line = (await asyncio.wait_for(stream.content.readline(), 5)).decode()
        if line.startswith(("event:", "data:")):
            lines.append(line.strip())
        if line == "\n" and lines:
            return "\n".join(lines)


async def officer_session(base: str) -> aiohttp.ClientSession:
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with http.get(f"{base}/officer/login") as page:
        csrf = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert csrf is not None
    async with http.post(f"{base}/officer/login", allow_redirects=False,
                         data={"csrf": csrf.group(1), "name": "sofie",
                               "password": PASSWORD}) as reply:
        assert reply.status == 303, await reply.text()
    return http


def served_by(log: Path, request: str) -> set[str]:
    """The web replicas HAProxy's log shows answering `request` (`POST /api/…`)."""
    return {match.group(1) for line in log.read_text("utf-8", "replace").splitlines()
            if f'"{request} ' in line and (match := re.search(r" web/(web-\d) ", line))}


async def test_two_web_replicas_share_sessions_and_live_events(
        tmp_path: Path, database: str) -> None:
    plan = web_plan(tmp_path, database)
    assert [s.name for s in plan.members("web")] == ["web-1", "web-2"]
    with Stack(plan, only=["web"]) as stack:
        create_officer(plan)
        base = stack.url("web")
        http = await officer_session(base)
        try:
            for _ in range(4):  # round robin: both replicas know the session
                async with http.get(f"{base}/officer/", allow_redirects=False) as page:
                    assert page.status == 200
            stream = await http.get(f"{base}/officer/events")
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            await asyncio.sleep(0.3)
            events = []
            for n in range(4):  # the action server's calls, spread over both replicas
                async with http.post(f"{base}/api/handoff/requests",
                                     json={**BODY, "conversation_id": f"owner-{n}"},
                                     headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}
                                     ) as created:
                    assert created.status in (200, 201), await created.text()
                events.append(await read_event(stream))
            stream.close()
        finally:
            await http.close()
        assert all(event.startswith("event: queue") for event in events)
        log = plan.config.log_path("proxy")
        assert served_by(log, "GET /officer/") == {"web-1", "web-2"}
        assert served_by(log, "POST /api/handoff/requests") == {"web-1", "web-2"}
