"""Settings of the back office, from the environment the web app runs in.

The web app reaches the dossier service with one all-counter (`*`) token from
DOSSIER_OFFICER_TOKENS (the same variable the service reads, so `make run` needs nothing new)
and tells the service, per request, which officer it acts for and their counters; the service
limits every answer to those counters itself."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.deployment import DEFAULT_DOSSIER_SERVICE_URL, dossier_service_url

ALL_COUNTERS = "*"


def console_token(raw: str) -> str | None:
    """The first token of DOSSIER_OFFICER_TOKENS that gives access to every counter."""
    try:
        tokens = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError:
        return None
    if not isinstance(tokens, dict):
        return None
    for token, spec in tokens.items():
        counters = spec.get("counters") if isinstance(spec, Mapping) else spec
        if isinstance(counters, list) and ALL_COUNTERS in counters and isinstance(token, str):
            return token
    return None


@dataclass(frozen=True)
class BackofficeConfig:
    content_dir: Path
    service_url: str = DEFAULT_DOSSIER_SERVICE_URL
    token: str | None = None  # None: the dossier pages say the service is not configured
    timeout_seconds: float = 5.0
    export_limit: int = 5000

    @classmethod
    def from_env(cls, env: Mapping[str, str], content_dir: Path) -> BackofficeConfig:
        return cls(content_dir=content_dir,
                   service_url=dossier_service_url(env),
                   token=console_token(env.get("DOSSIER_OFFICER_TOKENS", "")))
