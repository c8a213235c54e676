"""Fixtures for the hand-off service: a fresh SQLite (or PostgreSQL) database, a clock we
control, a fake Rasa HTTP API that records what was sent to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from bot.handoff import passwords
from bot.handoff.audit import AuditLog
from bot.handoff.broker import EventBroker
from bot.handoff.db import Database
from bot.handoff.delivery import OwnerDelivery
from bot.handoff.officers import OfficerStore
from bot.handoff.outbox import Outbox
from bot.handoff.rasa_api import RasaApiError
from bot.handoff.requests import NewRequest, RequestStore
from bot.handoff.service import HandoffService
from bot.handoff.takeover import Takeover
from tests.storage.postgres import postgres_database

PASSWORD = "een-lang-wachtwoord-42"
START = 1_795_428_000.0  # Monday 2026-11-23, 11:00 in Brussels


class Clock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeRasa:
    """Records appended events and executed actions; `down` makes every call fail."""

    def __init__(self) -> None:
        self.appended: list[tuple[str, list[dict[str, Any]]]] = []
        self.executed: list[tuple[str, str]] = []
        self.pushed: list[str] = []
        self.tracker_calls = 0
        self.down = False
        self.trackers: dict[str, dict[str, Any]] = {}
        self.replies = {
            "action_handoff_officer_joined": "Sofie van het ondernemersloket is er nu bij.",
            "action_handoff_back": "De medewerker heeft het gesprek weer aan mij doorgegeven.",
            "action_handoff_closed": "De medewerker heeft het gesprek afgesloten.",
        }

    def _check(self) -> None:
        if self.down:
            raise RasaApiError("down")

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        self.tracker_calls += 1
        self._check()
        return self.trackers.get(conversation_id, {"events": [], "slots": {}, "paused": False})

    async def append_events(self, conversation_id: str, events: list[dict[str, Any]],
                            push: bool = False) -> None:
        self._check()
        self.appended.append((conversation_id, events))
        if push:
            self.pushed.extend(e["text"] for e in events if e["event"] == "bot")

    async def execute(self, conversation_id: str, action: str) -> list[dict[str, Any]]:
        self._check()
        self.executed.append((conversation_id, action))
        return [{"recipient_id": conversation_id, "text": self.replies[action]},
                {"recipient_id": conversation_id, "custom": {"topic": None}}]

    def event_names(self, conversation_id: str) -> list[str]:
        return [e["event"] for cid, events in self.appended if cid == conversation_id
                for e in events]


def new_request(conversation: str = "conv-1", counter: str = "aalst", **extra: Any) -> NewRequest:
    values: dict[str, Any] = {"conversation_id": conversation, "counter": counter,
                              "counter_name": f"Ondernemersloket {counter.title()}",
                              "municipality": "Aalst", "topic": "terrasvergunning",
                              "topic_title": "Terrasvergunning", "summary": "Mag ik een terras?"}
    values.update(extra)
    return NewRequest(**values)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with tiny cost parameters: same code path, milliseconds instead of a second."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", lambda: cheap)
    monkeypatch.setattr(passwords, "_dummy_hash", lambda: cheap.hash("dummy-password-for-timing"))


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """The same tests on a SQLite file and (marker `services`) a fresh PostgreSQL database."""
    if request.param == "sqlite":
        database = Database(tmp_path / "handoff.sqlite3")
        yield database
        await database.close()
        return
    with postgres_database("olk_handoff_test") as url:
        database = Database(url)
        yield database
        await database.close()


@pytest.fixture()
def requests(db: Database, clock: Clock) -> RequestStore:
    return RequestStore(db, clock)


@pytest.fixture()
def officers(db: Database, clock: Clock) -> OfficerStore:
    return OfficerStore(db, clock=clock)


@pytest.fixture()
def broker() -> EventBroker:
    return EventBroker()


@pytest.fixture()
def service(requests: RequestStore, officers: OfficerStore, broker: EventBroker) -> HandoffService:
    return HandoffService(requests, officers, broker, presence_seconds=120)


@pytest.fixture()
def outbox(db: Database, clock: Clock) -> Outbox:
    return Outbox(db, clock)


@pytest.fixture()
def audit(db: Database, clock: Clock) -> AuditLog:
    return AuditLog(db, clock)


@pytest.fixture()
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture()
def takeover(requests: RequestStore, rasa: FakeRasa, outbox: Outbox, audit: AuditLog,
             broker: EventBroker, clock: Clock) -> Takeover:
    return Takeover(requests, rasa, OwnerDelivery(outbox, rasa, clock), audit, broker)
