"""Fixtures shared with the hand-off tests (cheap Argon2 parameters, a database, a clock) and
a web app whose Rasa is a fake that knows one answered conversation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.handoff.web.services import HOLDER_KEY
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.handoff.conftest import (  # noqa: F401
    broker,
    cheap_password_hashing,
    clock,
    db,
    officers,
    rasa,
    requests,
    service,
)

CONVERSATION = "feedc0de" * 3
AT = 1_795_428_000.5
ANSWER = "Voor een terras heb je een vergunning nodig.\nBron: https://www.vlaanderen.be/terras"


class FakeRasa:
    def __init__(self) -> None:
        self.trackers: dict[str, list[dict[str, Any]]] = {}

    def add_answer(self, conversation: str) -> None:
        self.trackers[conversation] = [
            {"event": "user", "text": "mag ik een terras?", "timestamp": AT - 1},
            {"event": "bot", "text": ANSWER, "timestamp": AT, "data": {"custom": {
                "topic": "terrasvergunning", "source": "https://www.vlaanderen.be/terras"}}}]

    async def events(self, sender: str) -> list[dict[str, Any]]:  # the chat page's client
        return self.trackers.get(sender, [])

    async def tracker(self, sender: str) -> dict[str, Any]:  # the hand-off's client
        return {"events": self.trackers.get(sender, [])}

    async def send(self, sender: str, text: str, metadata: Any = None) -> list[Any]:
        return []


@pytest.fixture()
def fake_rasa() -> FakeRasa:
    fake = FakeRasa()
    fake.add_answer(CONVERSATION)
    return fake


@pytest.fixture()
def feedback_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FEEDBACK_DB", str(tmp_path / "feedback.sqlite3"))
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    return tmp_path / "feedback.sqlite3"


@pytest.fixture()
async def make_client(aiohttp_client: Any, feedback_db: Path, fake_rasa: FakeRasa,
                      monkeypatch: pytest.MonkeyPatch) -> Any:
    async def make(**env: str) -> Any:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        app = create_app(WebConfig(), rasa=fake_rasa)  # type: ignore[arg-type]
        app[HOLDER_KEY].tracker_api = fake_rasa  # type: ignore[assignment]
        return await aiohttp_client(app)
    return make
