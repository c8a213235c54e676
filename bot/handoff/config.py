"""Settings of the hand-off service, from the environment. Secrets have no defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.handoff.passwords import MIN_LENGTH, min_length
from bot.paths import DEFAULT_CONTENT_DIR
from bot.ratelimit import limits_enabled
from bot.shared_state import SharedStateSettings, shared_state_from_env
from bot.storage.urls import sqlite_url

ROOT = Path(__file__).resolve().parent.parent.parent


def default_db_path(env: Mapping[str, str]) -> Path:
    return Path(env.get("HANDOFF_DB", "") or ROOT / "var" / "handoff.sqlite3")


def default_db_url(env: Mapping[str, str]) -> str:
    """HANDOFF_DB_URL (`postgresql://…` in production) or else the SQLite file HANDOFF_DB."""
    return env.get("HANDOFF_DB_URL") or sqlite_url(default_db_path(env))


@dataclass(frozen=True)
class HandoffConfig:
    db_url: str  # sqlite:///… (HANDOFF_DB) or postgresql://… (HANDOFF_DB_URL)
    content_dir: Path = DEFAULT_CONTENT_DIR
    service_token: str = ""  # empty: the internal API refuses every call
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    secure_cookies: bool = False
    presence_seconds: float = 120.0  # an officer seen this recently counts as available
    session_seconds: float = 8 * 3600.0
    idle_seconds: float = 3600.0
    max_failed_logins: int = 5
    lockout_seconds: float = 15 * 60.0
    login_rate_limit: str = "10/300"  # log-in attempts per client address (COUNT/SECONDS)
    rate_limits: bool = True  # RATE_LIMITS=off switches the per-address limits off
    argon2_workers: int = 2  # password checks running at once (about 48 MB each)
    argon2_queue: int = 16  # password checks waiting; more get "busy" at once
    password_min_length: int = MIN_LENGTH  # OFFICER_PASSWORD_MIN_LENGTH (never lower)
    max_waiting_per_counter: int = 30  # waiting hand-off requests per counter before "full"
    watch_seconds: float = 2.0  # how often live transcripts are checked for new messages
    heartbeat_seconds: float = 15.0
    # Redis for the log-in limit and the live events in the production profile (several
    # web app replicas); in memory otherwise.
    shared_state: SharedStateSettings = field(default_factory=SharedStateSettings)

    @classmethod
    def from_env(cls, content_dir: Path, secure_cookies: bool,
                 env: Mapping[str, str]) -> HandoffConfig:
        return cls(
            db_url=default_db_url(env),
            content_dir=content_dir,
            service_token=env.get("HANDOFF_SERVICE_TOKEN", ""),
            rasa_url=env.get("RASA_URL", cls.rasa_url),
            rasa_token=env.get("RASA_API_TOKEN", ""),
            secure_cookies=secure_cookies,
            presence_seconds=float(env.get("HANDOFF_PRESENCE_SECONDS", cls.presence_seconds)),
            max_failed_logins=int(env.get("OFFICER_MAX_FAILED_LOGINS", cls.max_failed_logins)),
            lockout_seconds=float(env.get("OFFICER_LOCKOUT_SECONDS", cls.lockout_seconds)),
            login_rate_limit=env.get("OFFICER_LOGIN_RATE_LIMIT") or cls.login_rate_limit,
            rate_limits=limits_enabled(env),
            argon2_workers=int(env.get("ARGON2_WORKERS", cls.argon2_workers)),
            argon2_queue=int(env.get("ARGON2_QUEUE", cls.argon2_queue)),
            password_min_length=min_length(env),
            max_waiting_per_counter=int(env.get("HANDOFF_MAX_WAITING_PER_COUNTER",
                                                cls.max_waiting_per_counter)),
            shared_state=shared_state_from_env(env),
        )
