"""Officer accounts: hashed passwords, lock-out after repeated failures, sessions."""

from __future__ import annotations

import pytest

from bot.handoff.officers import OfficerExists
from bot.handoff.passwords import WeakPassword
from tests.bot.handoff.conftest import PASSWORD


async def test_password_is_stored_as_an_argon2id_hash_never_in_clear(officers, db):
    await officers.create("sofie", PASSWORD, ["aalst", "gent"], display_name="Sofie")
    row = await db.fetch_one("SELECT password_hash FROM officers WHERE name = 'sofie'")
    assert row["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in row["password_hash"]
    assert (await officers.authenticate("sofie", PASSWORD)).outcome == "ok"
    assert (await officers.authenticate("sofie", PASSWORD.upper())).outcome == "invalid"


async def test_short_passwords_and_duplicate_names_are_refused(officers):
    with pytest.raises(WeakPassword):
        await officers.create("jan", "kort", ["aalst"])
    await officers.create("jan", PASSWORD, ["aalst"])
    with pytest.raises(OfficerExists):
        await officers.create("jan", PASSWORD, ["gent"])


async def test_unknown_name_is_just_invalid(officers):
    assert (await officers.authenticate("niemand", PASSWORD)).outcome == "invalid"


async def test_five_failures_lock_the_account_for_fifteen_minutes(officers, clock):
    await officers.create("sofie", PASSWORD, ["aalst"])
    outcomes = [(await officers.authenticate("sofie", "fout-wachtwoord-123")).outcome
                for _ in range(5)]
    assert outcomes == ["invalid"] * 4 + ["locked"]
    assert (await officers.authenticate("sofie", PASSWORD)).outcome == "locked"
    clock.advance(14 * 60)
    assert (await officers.authenticate("sofie", PASSWORD)).outcome == "locked"
    clock.advance(61)
    assert (await officers.authenticate("sofie", PASSWORD)).outcome == "ok"


async def test_a_success_resets_the_failure_count(officers):
    await officers.create("sofie", PASSWORD, ["aalst"])
    for _ in range(4):
        await officers.authenticate("sofie", "fout-wachtwoord-123")
    assert (await officers.authenticate("sofie", PASSWORD)).outcome == "ok"
    for _ in range(4):
        assert (await officers.authenticate("sofie", "fout-wachtwoord-123")).outcome == "invalid"


async def test_unlock_clears_a_lock_out(officers):
    await officers.create("sofie", PASSWORD, ["aalst"])
    for _ in range(5):
        await officers.authenticate("sofie", "fout-wachtwoord-123")
    assert await officers.unlock("sofie")
    assert (await officers.authenticate("sofie", PASSWORD)).outcome == "ok"


async def test_sessions_end_on_logout_idle_time_and_expiry(officers, clock):
    sofie = await officers.create("sofie", PASSWORD, ["aalst"])
    token, csrf = await officers.start_session(sofie)
    session = await officers.session(token)
    assert session.officer.id == sofie.id and session.csrf == csrf
    assert await officers.session("not-" + token) is None

    clock.advance(3601)  # idle for more than an hour
    assert await officers.session(token) is None

    token, _ = await officers.start_session(sofie)
    for _ in range(10):  # active all day: the absolute limit of 8 hours still applies
        clock.advance(3000)
        found = await officers.session(token)
    assert found is None

    token, _ = await officers.start_session(sofie)
    await officers.end_session(await officers.session(token))
    assert await officers.session(token) is None


async def test_session_tokens_are_stored_hashed(officers, db):
    sofie = await officers.create("sofie", PASSWORD, ["aalst"])
    token, _ = await officers.start_session(sofie)
    rows = await db.fetch_all("SELECT token_hash FROM sessions")
    assert rows and all(token not in row["token_hash"] for row in rows)
