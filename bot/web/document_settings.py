"""Settings of the chat's document upload, from the environment: the dossier service the web
app forwards documents to, with the service token (the same DOSSIER_SERVICE_URL and
DOSSIER_SERVICE_TOKEN the action server uses; `make run` sets both)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.deployment import DEFAULT_DOSSIER_SERVICE_URL, dossier_service_url

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # the dossier service's limit (file_check.py)


@dataclass(frozen=True)
class DocumentSettings:
    content_dir: Path
    service_url: str = DEFAULT_DOSSIER_SERVICE_URL
    service_token: str = ""  # empty: uploads answer "unavailable"
    timeout_seconds: float = 20.0

    @classmethod
    def from_env(cls, env: Mapping[str, str], content_dir: Path) -> DocumentSettings:
        return cls(content_dir=content_dir,
                   service_url=dossier_service_url(env),
                   service_token=env.get("DOSSIER_SERVICE_TOKEN", "").strip())


DOCUMENT_SETTINGS_KEY = web.AppKey("document_settings", DocumentSettings)
