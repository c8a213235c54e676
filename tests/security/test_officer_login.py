"""Issue 15: officer log-in under attack: atomic lock-out, bounded Argon2, per-address limit,
password policy."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from bot.handoff import officers as officers_module
from bot.handoff.officers import OfficerStore
from bot.handoff.passwords import HashingPool, WeakPassword, check_strength
from bot.handoff.web.services import HOLDER_KEY
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.handoff.conftest import PASSWORD, FakeRasa
from tests.bot.handoff.web_helpers import SERVICE_TOKEN, csrf_of, hub, login
from tests.web.test_chat import FakeRasa as FakeChat

WRONG = "fout-wachtwoord-123"


class CountingVerify:
    """Stands in for verify_password: counts guesses against the real hash and how many run
    at once, and is slow enough that parallel log-ins really interleave."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.guesses = 0
        self.running = 0
        self.peak = 0
        self._lock = threading.Lock()

    def __call__(self, password_hash: str | None, password: str) -> bool:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
            if password_hash is not None:
                self.guesses += 1
        try:
            time.sleep(0.02)
            return bool(self.real(password_hash, password))
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture()
def verify(monkeypatch: pytest.MonkeyPatch) -> CountingVerify:
    counting = CountingVerify(officers_module.verify_password)
    monkeypatch.setattr(officers_module, "verify_password", counting)
    return counting


async def test_parallel_wrong_passwords_get_at_most_the_limit_of_guesses(
        officers: OfficerStore, verify: CountingVerify) -> None:
    await officers.create("sofie", PASSWORD, ["aalst"])
    outcomes = await asyncio.gather(*(officers.authenticate("sofie", WRONG) for _ in range(10)))
    assert verify.guesses <= officers.policy.max_failed == 5
    assert {o.outcome for o in outcomes} <= {"invalid", "locked"}
    assert (await officers.authenticate("sofie", PASSWORD)).outcome == "locked"


async def test_a_bigger_burst_gets_no_more_guesses(officers: OfficerStore, clock: Any,
                                                   verify: CountingVerify) -> None:
    await officers.create("sofie", PASSWORD, ["aalst"])
    await asyncio.gather(*(officers.authenticate("sofie", WRONG) for _ in range(18)))
    assert verify.guesses <= 5
    clock.advance(officers.policy.lockout_seconds + 1)  # next period: again at most 5
    await asyncio.gather(*(officers.authenticate("sofie", WRONG) for _ in range(18)))
    assert verify.guesses <= 10


async def test_argon2_runs_in_a_bounded_pool(db: Any, clock: Any,
                                             verify: CountingVerify) -> None:
    store = OfficerStore(db, clock=clock, hashing=HashingPool(workers=2, queue=8))
    await store.create("sofie", PASSWORD, ["aalst"])
    names = [f"niemand-{i}" for i in range(40)]  # unknown names: no lock-out helps here
    outcomes = await asyncio.gather(*(store.authenticate(n, WRONG) for n in names))
    assert verify.peak <= 2  # at most 2 × ~48 MB of Argon2 memory at once
    busy = sum(o.outcome == "busy" for o in outcomes)
    assert busy == 40 - (2 + 8)  # beyond the queue: refused at once, nothing counted
    assert store.hashing.peak_running <= 2


@pytest.fixture()
async def web(aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", SERVICE_TOKEN)
    monkeypatch.setenv("OFFICER_LOGIN_RATE_LIMIT", "6/300")

    async def make(**env: str) -> Any:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        app = create_app(WebConfig(), rasa=FakeChat())  # type: ignore[arg-type]
        app[HOLDER_KEY].tracker_api = FakeRasa()
        client = await aiohttp_client(app)
        for name in ("sofie", "piet", "jan"):
            await hub(client).officers.create(name, PASSWORD, ["aalst"])
        return client
    return make


async def test_one_address_gets_a_limited_number_of_attempts_across_accounts(web: Any) -> None:
    client = await web()
    statuses = [(await login(client, name, WRONG)).status
                for name in ("sofie", "piet", "jan") for _ in range(3)]
    assert statuses == [401] * 6 + [429] * 3  # never more than 2 failures on one account
    assert (await login(client, "jan", PASSWORD)).status == 429


async def test_rate_limits_off_switches_the_address_limit_off_but_not_the_lock_out(
        web: Any) -> None:
    client = await web(RATE_LIMITS="off")
    statuses = [(await login(client, "sofie", WRONG)).status for _ in range(8)]
    assert 429 not in statuses
    assert (await login(client, "sofie", PASSWORD)).status == 401  # locked out


@pytest.mark.parametrize("password", [
    "password1234", "Wachtwoord2024!", "azertyuiop12", "123456789012", "aaaaaaaaaaaa",
    "abcabcabcabc", "ondernemersloket", "!!Welkom01!!", "sofie-is-de-beste"])
def test_common_or_guessable_passwords_are_refused(password: str) -> None:
    with pytest.raises(WeakPassword):
        check_strength(password, "sofie")


def test_long_uncommon_passphrases_pass() -> None:
    check_strength(PASSWORD, "sofie")
    check_strength("paarse-fiets-op-de-kouter", "sofie")


async def test_a_parallel_burst_over_http_gets_at_most_the_limit_of_guesses(
        web: Any, verify: CountingVerify) -> None:
    client = await web(RATE_LIMITS="off")  # one address: only the lock-out protects
    page = await client.get("/officer/login")
    token = csrf_of(await page.text())
    responses = await asyncio.gather(*(
        client.post("/officer/login", allow_redirects=False,
                    data={"csrf": token, "name": "sofie", "password": WRONG})
        for _ in range(10)))
    assert {r.status for r in responses} == {401}
    assert verify.guesses <= 5
    assert (await login(client, "sofie", PASSWORD)).status == 401  # locked
