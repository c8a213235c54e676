"""Settings of the action server: the one module of the action server that reads the
environment (on the first action call); everything else gets these settings passed in."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.deployment import (
    DEFAULT_ACTION_TIMEOUT_SECONDS,
    DEFAULT_DOSSIER_SERVICE_URL,
    DEFAULT_TENANT,
    action_timeout_seconds,
    content_dir,
    dossier_service_url,
    tenant,
)
from bot.paths import DEFAULT_CONTENT_DIR, PROJECT_ROOT

DEFAULT_HANDOFF_URL = "http://127.0.0.1:8000"
DEFAULT_OUTBOX_PATH = PROJECT_ROOT / "var" / "dossier_outbox.sqlite3"
DEFAULT_OUTBOX_INTERVAL_SECONDS = 30.0


@dataclass(frozen=True)
class ActionSettings:
    content_dir: Path = DEFAULT_CONTENT_DIR
    tenant: str = DEFAULT_TENANT
    handoff_url: str = DEFAULT_HANDOFF_URL
    handoff_token: str = ""
    dossier_url: str = DEFAULT_DOSSIER_SERVICE_URL
    # Only a configured dossier service gets its outbox delivered on the first action call:
    # unit tests without one must not create var/dossier_outbox.sqlite3.
    dossier_configured: bool = False
    dossier_token: str = ""
    outbox_path: Path = DEFAULT_OUTBOX_PATH
    # DOSSIER_OUTBOX_URL (postgresql://… in production) or else the SQLite file above.
    outbox_url: str = f"sqlite:///{DEFAULT_OUTBOX_PATH}"
    outbox_interval_seconds: float = DEFAULT_OUTBOX_INTERVAL_SECONDS
    action_timeout_seconds: int = DEFAULT_ACTION_TIMEOUT_SECONDS  # ACTION_TIMEOUT_SECONDS

    @property
    def deadline_slack_seconds(self) -> float:
        """What each action deadline gets on top of the one written for Rasa's default
        time-out: the production profile's 15 s gives an action 9 s more under load."""
        return float(max(0, self.action_timeout_seconds - DEFAULT_ACTION_TIMEOUT_SECONDS))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ActionSettings:
        env = os.environ if env is None else env
        outbox_path = Path(env.get("DOSSIER_OUTBOX_PATH") or DEFAULT_OUTBOX_PATH)
        return cls(
            content_dir=content_dir(env),
            tenant=tenant(env),
            handoff_url=env.get("HANDOFF_SERVICE_URL") or DEFAULT_HANDOFF_URL,
            handoff_token=env.get("HANDOFF_SERVICE_TOKEN", ""),
            dossier_url=dossier_service_url(env),
            dossier_configured=bool(env.get("DOSSIER_SERVICE_URL")),
            dossier_token=env.get("DOSSIER_SERVICE_TOKEN", ""),
            outbox_path=outbox_path,
            outbox_url=env.get("DOSSIER_OUTBOX_URL") or f"sqlite:///{outbox_path}",
            outbox_interval_seconds=float(env.get("DOSSIER_OUTBOX_INTERVAL_SECONDS")
                                          or DEFAULT_OUTBOX_INTERVAL_SECONDS),
            action_timeout_seconds=action_timeout_seconds(env),
        )
