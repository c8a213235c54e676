"""Officer passwords: Argon2id through argon2-cffi (its recommended default parameters).

* Policy (`check_strength`, used by `make officer` and `OfficerStore.create`): at least
  OFFICER_PASSWORD_MIN_LENGTH characters (default 12), not one of the 30,000 most common
  passwords (the list packaged with `zxcvbn`) or of our short Flemish list
  (`content/officer_common_passwords.txt`), also not with digits or punctuation around it
  ("Wachtwoord2024!"), not the officer's name, not one character or one short chunk repeated.
* Hashing runs in a `HashingPool`: a small thread pool (ARGON2_WORKERS, default 2) behind an
  admission limit (ARGON2_QUEUE waiting callers, default 16). Each Argon2 run takes about 48 MB,
  so a burst of logins costs at most workers × 48 MB; callers beyond the queue get
  `HashingBusy` at once instead of piling up.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import lru_cache, partial
from pathlib import Path
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 1024
MIN_DISTINCT_CHARACTERS = 5
LOCAL_LIST = Path(__file__).resolve().parent.parent.parent / "content" \
    / "officer_common_passwords.txt"
_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")

T = TypeVar("T")


class WeakPassword(ValueError):
    """The password does not meet the policy."""


class HashingBusy(RuntimeError):
    """Too many password checks are waiting already; try again later."""


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("not-a-real-password-only-for-timing")


def min_length(env: Mapping[str, str]) -> int:
    """OFFICER_PASSWORD_MIN_LENGTH: can only raise the minimum, never lower it."""
    return max(MIN_LENGTH, int(env.get("OFFICER_PASSWORD_MIN_LENGTH", "") or MIN_LENGTH))


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    words = {w.casefold() for w in FREQUENCY_LISTS["passwords"]}
    if LOCAL_LIST.is_file():
        for line in LOCAL_LIST.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                words.add(line.strip().casefold())
    return frozenset(words)


def _repeated_chunk(text: str) -> bool:
    return any(len(text) % size == 0 and text == text[:size] * (len(text) // size)
               for size in range(1, len(text) // 2 + 1))


def check_strength(password: str, name: str | None = None, needed: int = MIN_LENGTH) -> None:
    needed = max(MIN_LENGTH, needed)
    if len(password) < needed:
        raise WeakPassword(f"a password needs at least {needed} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_LENGTH} characters")
    folded = password.casefold()
    core = _AROUND.sub("", folded)
    common = common_passwords()
    if folded in common or not core or core in common or _repeated_chunk(core) \
            or _repeated_chunk(folded):
        raise WeakPassword("this password is too common or too easy to guess")
    if len(set(folded)) < MIN_DISTINCT_CHARACTERS:
        raise WeakPassword(f"a password needs at least {MIN_DISTINCT_CHARACTERS} different "
                           "characters")
    if name and len(name) >= 3 and name.casefold() in folded:
        raise WeakPassword("a password must not contain the officer's name")


def hash_password(password: str, check: bool = True) -> str:
    """`check=False` only to re-hash a password that already passed the policy."""
    if check:
        check_strength(password)
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (a dummy hash stands in)."""
    if len(password) > MAX_LENGTH:
        password = password[:MAX_LENGTH]
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


class HashingPool:
    """Runs password hashing in at most `workers` threads with at most `queue` callers
    waiting; more callers get HashingBusy immediately. Use from one event loop."""

    def __init__(self, workers: int = 2, queue: int = 16) -> None:
        self.workers = max(1, workers)
        self.queue = max(0, queue)
        self._slots = asyncio.Semaphore(self.workers)
        self._admitted = 0
        self._executor: ThreadPoolExecutor | None = None
        self.peak_running = 0
        self._running = 0

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="argon2")
        return self._executor

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the `workers` slots (waiting in the bounded queue); HashingBusy when
        the queue is full. Inside, `run_now` hashes without taking another slot."""
        if self._admitted >= self.workers + self.queue:
            raise HashingBusy()
        self._admitted += 1
        try:
            async with self._slots:
                self._running += 1
                self.peak_running = max(self.peak_running, self._running)
                try:
                    yield
                finally:
                    self._running -= 1
        finally:
            self._admitted -= 1

    async def run_now(self, function: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool(), partial(function, *args))

    async def run(self, function: Callable[..., T], *args: object) -> T:
        async with self.slot():
            return await self.run_now(function, *args)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None
