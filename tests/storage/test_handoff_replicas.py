"""Two web app replicas on one hand-off database (each its own engine, as two processes have):
the lock-out still gives no extra guesses, and one conversation still gets one request.
On SQLite (two engines on one file) and on PostgreSQL (marker `services`)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.handoff import officers as officers_module
from bot.handoff.db import Database
from bot.handoff.officers import OfficerStore
from bot.handoff.requests import NewRequest, RequestStore

PASSWORD = "een-lang-wachtwoord-42"
WRONG = "fout-wachtwoord-123"


@pytest.fixture()
async def replicas(url: str) -> AsyncIterator[tuple[Database, Database]]:
    first, second = Database(url), Database(url)
    yield first, second
    await first.close()
    await second.close()


class CountingVerify:
    def __init__(self, real: Any) -> None:
        self.real, self.guesses, self._lock = real, 0, threading.Lock()

    def __call__(self, password_hash: str | None, password: str) -> bool:
        with self._lock:
            if password_hash is not None:
                self.guesses += 1
        return bool(self.real(password_hash, password))


async def test_wrong_passwords_spread_over_two_replicas_get_at_most_the_limit(
        replicas: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch) -> None:
    verify = CountingVerify(officers_module.verify_password)
    monkeypatch.setattr(officers_module, "verify_password", verify)
    stores = [OfficerStore(db) for db in replicas]
    await stores[0].create("sofie", PASSWORD, ["aalst"])
    outcomes = await asyncio.gather(*(stores[n % 2].authenticate("sofie", WRONG)
                                      for n in range(10)))
    assert verify.guesses <= stores[0].policy.max_failed == 5
    assert {o.outcome for o in outcomes} <= {"invalid", "locked"}
    assert (await stores[1].authenticate("sofie", PASSWORD)).outcome == "locked"


async def test_one_conversation_gets_one_request_whichever_replica_asks(
        replicas: tuple[Database, Database]) -> None:
    stores = [RequestStore(db) for db in replicas]
    new = NewRequest("conv-replicas", "gent", "Ondernemersloket Gent")
    results = await asyncio.gather(*(stores[n % 2].open_or_create(new, "live", max_waiting=30)
                                     for n in range(8)))
    assert sorted(outcome for outcome, _, _ in results) == ["created"] + ["existing"] * 7
    assert len({request.id for _, request, _ in results if request is not None}) == 1


async def test_a_full_counter_stays_full_across_replicas(
        replicas: tuple[Database, Database]) -> None:
    stores = [RequestStore(db) for db in replicas]
    results = await asyncio.gather(*(
        stores[n % 2].open_or_create(NewRequest(f"conv-{n}", "gent", "Gent"), "live",
                                     max_waiting=3) for n in range(10)))
    assert sorted(outcome for outcome, _, _ in results).count("created") == 3
