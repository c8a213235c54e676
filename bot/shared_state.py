"""Where state that every replica must see lives: Redis in the production profile, nothing
(each process its own memory) in the local one.

The production profile already names its Redis for Rasa's lock store (`REDIS_HOST`,
`REDIS_PORT`, database 1 in endpoints.prod.yml); the rate limits, webhook replay caches,
socket.io fan-out and the officer console's live events use the same server and database,
under keys starting with `REDIS_KEY_PREFIX` (default `ondernemersloket`; Rasa's locks are
`ondernemersloket:lock:*`, ours `ondernemersloket:state:*`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from redis import asyncio as redis_asyncio

logger = logging.getLogger(__name__)

REDIS_DB = 1  # the lock store's database (endpoints.prod.yml)
DEFAULT_PREFIX = "ondernemersloket"
TIMEOUT_SECONDS = 1.0  # a Redis that does not answer within this counts as down
WARN_EVERY_SECONDS = 30.0
SKIP_SECONDS = 2.0  # after a failure, requests do not wait on Redis again for this long


@dataclass(frozen=True)
class SharedStateSettings:
    """`redis_url` None: keep the state in process memory (local profile, tests)."""

    redis_url: str | None = None
    prefix: str = DEFAULT_PREFIX

    @property
    def shared(self) -> bool:
        return self.redis_url is not None

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, "state", *parts))


def shared_state_from_env(env: Mapping[str, str]) -> SharedStateSettings:
    """Redis when `PROFILE=production` and `REDIS_HOST` is set, else in memory."""
    prefix = env.get("REDIS_KEY_PREFIX", "").strip() or DEFAULT_PREFIX
    host = env.get("REDIS_HOST", "").strip()
    if env.get("PROFILE", "local").strip() != "production" or not host:
        return SharedStateSettings(None, prefix)
    port = env.get("REDIS_PORT", "").strip() or "6379"
    shown_host = f"[{host}]" if ":" in host else host
    return SharedStateSettings(f"redis://{shown_host}:{port}/{REDIS_DB}", prefix)


def connect(url: str) -> redis_asyncio.Redis:
    """A client whose calls give up after TIMEOUT_SECONDS (connections are opened lazily, on
    the first call, in the running event loop)."""
    return redis_asyncio.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS,
                                        socket_connect_timeout=TIMEOUT_SECONDS,
                                        health_check_interval=30)


@dataclass
class OutageLog:
    """One warning per WARN_EVERY_SECONDS while Redis is unreachable, not one per request;
    `skipping` is true for SKIP_SECONDS after a failure, so a Redis that does not answer at all
    (a host gone, packets dropped) costs one request the timeout, not every request."""

    what: str
    _last: float = field(default=-WARN_EVERY_SECONDS)
    _failed_at: float = field(default=-SKIP_SECONDS)

    @property
    def skipping(self) -> bool:
        return time.monotonic() - self._failed_at < SKIP_SECONDS

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        self._failed_at = now
        if now - self._last >= WARN_EVERY_SECONDS:
            self._last = now
            logger.warning("Redis unreachable for %s (%s: %s); %s", self.what,
                           type(error).__name__, error, "failing open")
