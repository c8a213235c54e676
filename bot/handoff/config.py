"""Settings of the hand-off service, from the environment. Secrets have no defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def default_db_path() -> Path:
    return Path(os.environ.get("HANDOFF_DB", str(ROOT / "var" / "handoff.sqlite3")))


@dataclass(frozen=True)
class HandoffConfig:
    db_path: Path
    content_dir: Path = ROOT / "content"
    service_token: str = ""  # empty: the internal API refuses every call
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    secure_cookies: bool = False
    presence_seconds: float = 120.0  # an officer seen this recently counts as available
    session_seconds: float = 8 * 3600.0
    idle_seconds: float = 3600.0
    max_failed_logins: int = 5
    lockout_seconds: float = 15 * 60.0
    watch_seconds: float = 2.0  # how often live transcripts are checked for new messages
    heartbeat_seconds: float = 15.0

    @classmethod
    def from_env(cls, content_dir: Path, secure_cookies: bool) -> HandoffConfig:
        env = os.environ
        return cls(
            db_path=default_db_path(),
            content_dir=content_dir,
            service_token=env.get("HANDOFF_SERVICE_TOKEN", ""),
            rasa_url=env.get("RASA_URL", cls.rasa_url),
            rasa_token=env.get("RASA_API_TOKEN", ""),
            secure_cookies=secure_cookies,
            presence_seconds=float(env.get("HANDOFF_PRESENCE_SECONDS", cls.presence_seconds)),
        )
