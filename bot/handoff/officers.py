"""Officer accounts: creation, log-in with lock-out, sessions and presence.

The lock-out is atomic: every attempt first *claims* a guess with one `UPDATE … RETURNING`
(counted as a failure up front, refused when the account is locked) and only then runs Argon2;
a right password resets the count. Parallel wrong passwords therefore get at most `max_failed`
guesses per lock-out period, however they interleave. A locked account is refused without
running Argon2, so a burst against it costs nothing; an unknown name runs Argon2 on a dummy
hash. Every Argon2 run goes through the store's bounded `HashingPool` (`busy` when full)."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.exc import IntegrityError

from bot.handoff.db import Database
from bot.handoff.models import Officer
from bot.handoff.passwords import (
    MIN_LENGTH,
    HashingBusy,
    HashingPool,
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)

# An expired lock-out starts a new count at 1; the SET expressions all see the old row (on
# SQLite and PostgreSQL alike), and the row is locked by the UPDATE until it commits.
CLAIM_GUESS = (
    "UPDATE officers SET"
    " failed_logins = CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_logins + 1 END,"
    " locked_until = CASE WHEN (CASE WHEN locked_until IS NOT NULL THEN 1"
    "   ELSE failed_logins + 1 END) >= :max_failed"
    "   THEN CAST(:locked_until AS DOUBLE PRECISION) ELSE NULL END"
    " WHERE name = :name AND (locked_until IS NULL OR locked_until <= :now)"
    " RETURNING id, failed_logins")


class OfficerExists(ValueError):
    """An officer with this name already exists."""


@dataclass(frozen=True)
class LoginPolicy:
    max_failed: int = 5
    lockout_seconds: float = 15 * 60.0
    session_seconds: float = 8 * 3600.0
    idle_seconds: float = 3600.0
    password_min_length: int = MIN_LENGTH


@dataclass(frozen=True)
class LoginResult:
    outcome: Literal["ok", "invalid", "locked", "busy"]
    officer: Officer | None = None


@dataclass(frozen=True)
class Session:
    officer: Officer
    csrf: str
    token_hash: str


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class OfficerStore:
    def __init__(self, db: Database, policy: LoginPolicy | None = None,
                 clock: Callable[[], float] = time.time,
                 hashing: HashingPool | None = None) -> None:
        self._db = db
        self.policy = policy or LoginPolicy()
        self._clock = clock
        self.hashing = hashing or HashingPool()

    # --- accounts ---------------------------------------------------------------------------
    async def create(self, name: str, password: str, counters: Sequence[str],
                     display_name: str | None = None) -> Officer:
        check_strength(password, name, self.policy.password_min_length)
        password_hash = await self.hashing.run(hash_password, password)
        try:
            async with self._db.write() as tx:
                row = await tx.fetch_one(
                    "INSERT INTO officers (name, display_name, password_hash, created_at)"
                    " VALUES (:name, :display_name, :password_hash, :at) RETURNING id",
                    {"name": name, "display_name": display_name or name,
                     "password_hash": password_hash, "at": self._clock()})
                assert row is not None
                officer_id = int(row["id"])
                await tx.execute_many(
                    "INSERT INTO officer_counters (officer_id, counter)"
                    " VALUES (:officer_id, :counter)",
                    [{"officer_id": officer_id, "counter": counter}
                     for counter in dict.fromkeys(counters)])
        except IntegrityError as error:
            raise OfficerExists(name) from error
        officer = await self.get(officer_id)
        assert officer is not None
        return officer

    async def get(self, officer_id: int) -> Officer | None:
        row = await self._db.fetch_one("SELECT * FROM officers WHERE id = :id",
                                       {"id": officer_id})
        return await self._officer(row) if row else None

    async def by_name(self, name: str) -> Officer | None:
        row = await self._db.fetch_one("SELECT * FROM officers WHERE name = :name",
                                       {"name": name})
        return await self._officer(row) if row else None

    async def unlock(self, name: str) -> bool:
        changed = await self._db.execute(
            "UPDATE officers SET failed_logins = 0, locked_until = NULL WHERE name = :name",
            {"name": name})
        return changed == 1

    async def _officer(self, row: Any) -> Officer:
        counters = await self._db.fetch_all(
            "SELECT counter FROM officer_counters WHERE officer_id = :id ORDER BY counter",
            {"id": row["id"]})
        return Officer(id=row["id"], name=row["name"], display_name=row["display_name"],
                       password_hash=row["password_hash"],
                       counters=tuple(r["counter"] for r in counters),
                       failed_logins=row["failed_logins"], locked_until=row["locked_until"],
                       last_seen_at=row["last_seen_at"])

    # --- log-in -----------------------------------------------------------------------------
    async def authenticate(self, name: str, password: str) -> LoginResult:
        """Check a password; after `max_failed` failures in a row the account is locked for
        `lockout_seconds`, during which even the right password is refused. `busy` when too
        many password checks are already waiting (nothing is counted then)."""
        try:
            return await self._authenticate(name, password)
        except HashingBusy:
            return LoginResult("busy")

    async def _authenticate(self, name: str, password: str) -> LoginResult:
        async with self.hashing.slot():
            claimed = await self._claim_guess(name)
            if claimed is None:
                officer = await self.by_name(name)
                if officer is None:  # same work as for a real account
                    await self.hashing.run_now(verify_password, None, password)
                    return LoginResult("invalid")
                return LoginResult("locked", officer)
            officer_id, failed = claimed
            officer = await self.get(officer_id)
            assert officer is not None
            valid = await self.hashing.run_now(verify_password, officer.password_hash, password)
            if not valid:
                locked = failed >= self.policy.max_failed
                return LoginResult("locked" if locked else "invalid", officer)
            new_hash = (await self.hashing.run_now(hash_password, password, False)
                        if needs_rehash(officer.password_hash) else officer.password_hash)
        await self._db.execute(
            "UPDATE officers SET failed_logins = 0, locked_until = NULL,"
            " password_hash = :password_hash, last_seen_at = :now WHERE id = :id",
            {"password_hash": new_hash, "now": self._clock(), "id": officer.id})
        return LoginResult("ok", officer)

    async def _claim_guess(self, name: str) -> tuple[int, int] | None:
        """Count one failed attempt before the password is checked, in one statement: returns
        (officer id, failures in a row including this one), or None when there is no such
        officer or the account is locked. The attempt that reaches the limit locks it."""
        now = self._clock()
        async with self._db.write() as tx:
            row = await tx.fetch_one(CLAIM_GUESS, {
                "max_failed": self.policy.max_failed,
                "locked_until": now + self.policy.lockout_seconds, "name": name, "now": now})
        return (int(row["id"]), int(row["failed_logins"])) if row else None

    # --- sessions ---------------------------------------------------------------------------
    async def start_session(self, officer: Officer) -> tuple[str, str]:
        """Returns (cookie token, CSRF token); only the token's hash is stored."""
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), self._clock()
        await self._db.execute(
            "INSERT INTO sessions (token_hash, officer_id, csrf, created_at, last_used_at,"
            " expires_at) VALUES (:token_hash, :officer_id, :csrf, :now, :now, :expires_at)",
            {"token_hash": _hash_token(token), "officer_id": officer.id, "csrf": csrf,
             "now": now, "expires_at": now + self.policy.session_seconds})
        return token, csrf

    async def session(self, token: str) -> Session | None:
        """The live session for a cookie token; refreshes its idle timer and the presence."""
        now = self._clock()
        row = await self._db.fetch_one(
            "SELECT * FROM sessions WHERE token_hash = :token_hash AND expires_at > :now"
            " AND last_used_at > :idle_since",
            {"token_hash": _hash_token(token), "now": now,
             "idle_since": now - self.policy.idle_seconds})
        if row is None:
            return None
        officer = await self.get(row["officer_id"])
        if officer is None:
            return None
        await self.touch(officer.id, row["token_hash"])
        return Session(officer, row["csrf"], row["token_hash"])

    async def touch(self, officer_id: int, session_hash: str) -> None:
        now = self._clock()
        async with self._db.write() as tx:
            await tx.execute("UPDATE sessions SET last_used_at = :now WHERE token_hash = :hash",
                             {"now": now, "hash": session_hash})
            await tx.execute("UPDATE officers SET last_seen_at = :now WHERE id = :id",
                             {"now": now, "id": officer_id})

    async def end_session(self, session: Session) -> None:
        async with self._db.write() as tx:
            await tx.execute("DELETE FROM sessions WHERE token_hash = :hash",
                             {"hash": session.token_hash})
            remaining = await tx.fetch_one("SELECT 1 FROM sessions WHERE officer_id = :id",
                                           {"id": session.officer.id})
            if remaining is None:
                await tx.execute("UPDATE officers SET last_seen_at = NULL WHERE id = :id",
                                 {"id": session.officer.id})

    # --- presence ---------------------------------------------------------------------------
    async def available(self, counter: str, within_seconds: float) -> bool:
        """Someone of this counter is logged in and was seen within `within_seconds`."""
        now = self._clock()
        row = await self._db.fetch_one(
            "SELECT 1 FROM officers o JOIN officer_counters c ON c.officer_id = o.id"
            " WHERE c.counter = :counter AND o.last_seen_at >= :seen_since"
            " AND (o.locked_until IS NULL OR o.locked_until <= :now)"
            " AND EXISTS (SELECT 1 FROM sessions s WHERE s.officer_id = o.id"
            "   AND s.expires_at > :now AND s.last_used_at > :idle_since) LIMIT 1",
            {"counter": counter, "seen_since": now - within_seconds, "now": now,
             "idle_since": now - self.policy.idle_seconds})
        return row is not None
