"""Issue 15: databases with personal data are created 0600 (whatever the umask), the owner's
hand-off token travels in a header instead of the URL, and access log lines never show a token
or an e-mail address."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.feedback import Feedback, FeedbackStore
from bot.handoff.db import Database
from bot.handoff.models import OwnerMessage
from bot.handoff.web.services import HOLDER_KEY
from bot.privacy import PiiFilter
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.handoff.conftest import FakeRasa
from tests.bot.handoff.web_helpers import SERVICE_TOKEN, bearer, hub


@pytest.fixture()
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the usual default: new files world-readable
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_handoff_database_and_its_wal_are_owner_only(tmp_path: Path,
                                                                open_umask: None) -> None:
    db = Database(tmp_path / "var" / "handoff.sqlite3")
    await db.execute("INSERT INTO audit_log (action, at) VALUES ('test', 0)")
    modes = {p.name: mode(p) for p in (tmp_path / "var").iterdir()
             if p.name.startswith("handoff.sqlite3")}
    await db.close()
    assert set(modes) >= {"handoff.sqlite3", "handoff.sqlite3-wal"}
    assert modes == {name: 0o600 for name in modes}
    assert mode(tmp_path / "var") == 0o700


async def test_an_existing_world_readable_database_is_tightened(tmp_path: Path,
                                                                 open_umask: None) -> None:
    path = tmp_path / "feedback.sqlite3"
    FeedbackStore(path).all()
    os.chmod(path, 0o644)
    store = FeedbackStore(path)
    store.record(Feedback("c" * 16, "m" * 8, "up", None, None, None))
    assert mode(path) == 0o600


@pytest.fixture()
async def web(aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", SERVICE_TOKEN)
    app = create_app(WebConfig())
    app[HOLDER_KEY].tracker_api = FakeRasa()
    return await aiohttp_client(app)


async def test_the_owner_token_works_from_a_header(web: Any) -> None:
    created = await (await web.post("/api/handoff/requests", headers=bearer(), json={
        "conversation_id": "rest-owner-abcdefgh", "counter": "aalst",
        "counter_name": "Ondernemersloket Aalst"})).json()
    await hub(web).outbox.add("rest-owner-abcdefgh",
                              OwnerMessage("officer", "Dag, ik ben Sofie.", "Sofie"))
    url = "/api/handoff/rest-owner-abcdefgh/messages"
    assert (await web.get(url, headers=bearer("wrong-token"))).status == 404
    answer = await web.get(url, headers=bearer(created["token"]))
    assert answer.status == 200
    assert [m["text"] for m in (await answer.json())["messages"]] == ["Dag, ik ben Sofie."]


def test_access_log_lines_show_no_token_and_no_email() -> None:
    line = ('127.0.0.1 "GET /api/handoff/c1/messages?after=0&token=Zr8-secretOwnerToken_1 '
            'HTTP/1.1" 200 | GET /api/dossiers/OVL-2026-K7M4QX?email=jan.peeters%40example.be'
            ' | Authorization: Bearer rasa-api-token-123')
    record = logging.LogRecord("aiohttp.access", logging.INFO, __file__, 1, "%s", (line,), None)
    PiiFilter().filter(record)
    logged = record.getMessage()
    for secret in ("Zr8-secretOwnerToken_1", "jan.peeters", "rasa-api-token-123"):
        assert secret not in logged
    assert "after=0" in logged and "/api/handoff/c1/messages" in logged
