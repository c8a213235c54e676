"""Configuration of the dossier service from the environment. No default secrets: without
DOSSIER_SERVICE_TOKEN and DOSSIER_OFFICER_TOKENS it refuses to start, unless dev mode
generates random ones."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.deployment import DEFAULT_REFERENCE_PREFIX, reference_prefix
from bot.dossiers.service.auth import ALL_COUNTERS, MIN_TOKEN_LENGTH, OfficerDirectory
from bot.dossiers.service.storage import DEFAULT_DB_URL
from bot.shared_state import SharedStateSettings, shared_state_from_env


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class ServiceConfig:
    db_url: str
    service_token: str
    officer_tokens: Mapping[str, Any]
    reference_prefix: str = DEFAULT_REFERENCE_PREFIX
    lookup_limit: int = 20  # owner lookups per minute per reference and conversation
    purge_interval_seconds: float | None = 3600.0  # closed dossiers past retention; None: off
    # Redis for the look-up limit in the production profile (every replica counts together).
    shared_state: SharedStateSettings = field(default_factory=SharedStateSettings)
    generated: tuple[str, ...] = field(default=())


def _officer_tokens(raw: str) -> dict[str, Any]:
    try:
        tokens = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError("DOSSIER_OFFICER_TOKENS must be JSON: {token: [counter ids]}") from exc
    if not isinstance(tokens, dict) or not tokens:
        raise ConfigError("DOSSIER_OFFICER_TOKENS must be a non-empty JSON object")
    try:
        OfficerDirectory(tokens)
    except ValueError as exc:
        raise ConfigError(f"DOSSIER_OFFICER_TOKENS: {exc}") from exc
    return tokens


def _purge_interval(raw: str) -> float | None:
    """PURGE_INTERVAL_SECONDS, as the web app reads it: default 3600; 0 or `off`: no purge."""
    value = raw.strip().lower()
    if value in ("0", "off"):
        return None
    try:
        return max(0.01, float(value or 3600))
    except ValueError as exc:
        raise ConfigError("PURGE_INTERVAL_SECONDS must be a number of seconds or off") from exc


def config_from_env(env: Mapping[str, str], *, dev: bool = False) -> ServiceConfig:
    service_token = env.get("DOSSIER_SERVICE_TOKEN", "").strip()
    officers_raw = env.get("DOSSIER_OFFICER_TOKENS", "").strip()
    generated: list[str] = []
    if dev and not service_token:
        service_token = secrets.token_urlsafe(32)
        generated.append("DOSSIER_SERVICE_TOKEN")
    if dev and not officers_raw:
        officers_raw = json.dumps({secrets.token_urlsafe(32): [ALL_COUNTERS]})
        generated.append("DOSSIER_OFFICER_TOKENS")
    missing = [name for name, value in (("DOSSIER_SERVICE_TOKEN", service_token),
                                        ("DOSSIER_OFFICER_TOKENS", officers_raw)) if not value]
    if missing:
        raise ConfigError(f"missing {', '.join(missing)} (or start with --dev for random ones)")
    if len(service_token) < MIN_TOKEN_LENGTH:
        raise ConfigError(f"DOSSIER_SERVICE_TOKEN needs at least {MIN_TOKEN_LENGTH} characters")
    try:
        lookup_limit = int(env.get("DOSSIER_LOOKUP_RATE_LIMIT", "").strip() or "20")
    except ValueError as exc:
        raise ConfigError("DOSSIER_LOOKUP_RATE_LIMIT must be a whole number") from exc
    if lookup_limit < 1:
        raise ConfigError("DOSSIER_LOOKUP_RATE_LIMIT must be at least 1")
    return ServiceConfig(
        purge_interval_seconds=_purge_interval(env.get("PURGE_INTERVAL_SECONDS", "")),
        db_url=env.get("DOSSIER_DB_URL", "").strip() or DEFAULT_DB_URL,
        service_token=service_token,
        officer_tokens=_officer_tokens(officers_raw),
        reference_prefix=reference_prefix(env),
        lookup_limit=lookup_limit,
        shared_state=shared_state_from_env(env),
        generated=tuple(generated),
    )
