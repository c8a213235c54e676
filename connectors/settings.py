"""Settings of our parts of the Rasa process (channels, tracker store, payload guard, reply
timeouts): the one module of the Rasa service that reads the environment. Rasa builds the
channels and stores itself from credentials.yml and endpoints.yml, so they cannot be handed a
settings object; they call `rasa_settings()` when they are made, and pass what they need on."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.deployment import (
    DEFAULT_ACTION_TIMEOUT_SECONDS,
    DEFAULT_DOSSIER_SERVICE_URL,
    action_timeout_seconds,
    content_dir,
    dossier_service_url,
)
from bot.payload_guard import DEFAULT_OFFERED_TURNS
from bot.ratelimit import (
    UPLOAD_CONVERSATION_DEFAULT,
    UPLOAD_CONVERSATION_ENV,
    Limit,
    limit_from_env,
)
from bot.shared_state import SharedStateSettings, shared_state_from_env


@dataclass(frozen=True)
class RasaSettings:
    content_dir: Path
    api_token: str = field(default="", repr=False)  # RASA_API_TOKEN
    widget_secret: str = field(default="", repr=False)  # WIDGET_SESSION_SECRET
    offered_turns: int = DEFAULT_OFFERED_TURNS  # PAYLOAD_OFFERED_TURNS
    action_timeout_seconds: int = DEFAULT_ACTION_TIMEOUT_SECONDS  # ACTION_TIMEOUT_SECONDS
    debug_logging: bool = False  # LOG_LEVEL=DEBUG: keep third-party warnings
    # Where documents sent on messaging channels go (as for the web app and the actions).
    dossier_service_url: str = DEFAULT_DOSSIER_SERVICE_URL  # DOSSIER_SERVICE_URL
    dossier_service_token: str = field(default="", repr=False)  # DOSSIER_SERVICE_TOKEN
    # Documents per conversation, as for the web chat's uploads (UPLOAD_CONVERSATION_RATE_LIMIT).
    upload_limit: Limit = field(default_factory=lambda: Limit.parse(UPLOAD_CONVERSATION_DEFAULT))
    # Redis for socket.io rooms, webhook replay caches and the upload limit in production.
    shared_state: SharedStateSettings = field(default_factory=SharedStateSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RasaSettings:
        return cls(
            content_dir=content_dir(env),
            api_token=env.get("RASA_API_TOKEN", ""),
            widget_secret=env.get("WIDGET_SESSION_SECRET", ""),
            offered_turns=max(1, int(env.get("PAYLOAD_OFFERED_TURNS", "")
                                     or DEFAULT_OFFERED_TURNS)),
            action_timeout_seconds=action_timeout_seconds(env),
            debug_logging=env.get("LOG_LEVEL", "").upper() == "DEBUG",
            dossier_service_url=dossier_service_url(env),
            dossier_service_token=env.get("DOSSIER_SERVICE_TOKEN", "").strip(),
            upload_limit=limit_from_env(UPLOAD_CONVERSATION_ENV, UPLOAD_CONVERSATION_DEFAULT, env),
            shared_state=shared_state_from_env(env),
        )


def rasa_settings() -> RasaSettings:
    """Read when a part is made (never at import), so a test's environment is what counts."""
    return RasaSettings.from_env(os.environ)
