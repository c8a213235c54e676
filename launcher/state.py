"""The state directory: created on start, with the local profile's endpoints file in it."""

from __future__ import annotations

from typing import Any

import yaml

from launcher.config import StackConfig
from launcher.services import LOCAL_ENDPOINTS, LOCAL_TRACKER_DB, endpoints_path


def local_endpoints(config: StackConfig) -> dict[str, Any]:
    """endpoints.yml with its SQLite tracker store moved into the state directory (the
    `${ACTION_SERVER_URL}` placeholder stays; Rasa fills it from the environment)."""
    text = (config.root / LOCAL_ENDPOINTS).read_text(encoding="utf-8")
    endpoints: dict[str, Any] = yaml.safe_load(text) or {}
    tracker = endpoints.get("tracker_store")
    if isinstance(tracker, dict) and tracker.get("dialect") == "sqlite":
        tracker["db"] = str((config.state_dir / LOCAL_TRACKER_DB).resolve())
    return endpoints


def prepare_state(config: StackConfig) -> None:
    config.log_dir.mkdir(parents=True, exist_ok=True)
    if config.profile == "local":
        path = endpoints_path(config)
        text = "# Written by the launcher from endpoints.yml; edit that file instead.\n"
        path.write_text(text + yaml.safe_dump(local_endpoints(config), sort_keys=False),
                        encoding="utf-8")
