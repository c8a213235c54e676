"""Which deployment a process serves: its content folder, its tenant and the prefix of its
dossier references. The names and defaults of these three settings exist here only; every
service's settings object reads them through these functions from the environment it was
given."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.paths import DEFAULT_CONTENT_DIR

DEFAULT_TENANT = "oost-vlaanderen"
DEFAULT_REFERENCE_PREFIX = "OVL"


def content_dir(env: Mapping[str, str]) -> Path:
    """CONTENT_DIR: the officer-editable YAML (topics, tenants, forms, texts)."""
    return Path(env.get("CONTENT_DIR", "").strip() or DEFAULT_CONTENT_DIR)


def tenant(env: Mapping[str, str]) -> str:
    """TENANT: the file under content/tenants/ this deployment serves."""
    return env.get("TENANT", "").strip() or DEFAULT_TENANT


def tenant_file(env: Mapping[str, str]) -> Path:
    return content_dir(env) / "tenants" / f"{tenant(env)}.yml"


def reference_prefix(env: Mapping[str, str]) -> str:
    """DOSSIER_REFERENCE_PREFIX: the letters before every dossier reference (OVL-2026-…)."""
    return env.get("DOSSIER_REFERENCE_PREFIX", "").strip() or DEFAULT_REFERENCE_PREFIX


DEFAULT_DOSSIER_SERVICE_URL = "http://127.0.0.1:8100"


def dossier_service_url(env: Mapping[str, str]) -> str:
    """DOSSIER_SERVICE_URL: the dossier service, as the actions, the web app and the messaging
    channels reach it."""
    return (env.get("DOSSIER_SERVICE_URL", "").strip() or DEFAULT_DOSSIER_SERVICE_URL).rstrip("/")


# How long Rasa waits for an action (ACTION_TIMEOUT_SECONDS). The action server reads it too:
# its own deadlines are written for this default and grow with a longer time-out.
DEFAULT_ACTION_TIMEOUT_SECONDS = 6


def action_timeout_seconds(env: Mapping[str, str]) -> int:
    value = env.get("ACTION_TIMEOUT_SECONDS", "").strip()
    return max(1, int(value)) if value.isdigit() else DEFAULT_ACTION_TIMEOUT_SECONDS
