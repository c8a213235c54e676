"""The state directory: created on start, with the local profile's endpoints file or the
production profile's HAProxy configuration in it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from launcher.config import StackConfig
from launcher.services import LOCAL_ENDPOINTS, endpoints_path


def local_endpoints(config: StackConfig) -> dict[str, Any]:
    """endpoints.yml with every SQLite file (tracker store, SQL event broker) moved into the
    state directory under its own name; `${ACTION_SERVER_URL}` stays for Rasa to fill in."""
    text = (config.root / LOCAL_ENDPOINTS).read_text(encoding="utf-8")
    endpoints: dict[str, Any] = yaml.safe_load(text) or {}
    for section in endpoints.values():
        if isinstance(section, dict) and section.get("dialect") == "sqlite" and section.get("db"):
            name = Path(str(section["db"])).name
            section["db"] = str((config.state_dir / name).resolve())
    return endpoints


def prepare_state(config: StackConfig, files: Iterable[tuple[Path, str]] = ()) -> None:
    """The state and log folders, the local profile's endpoints file and the plan's rendered
    files (production: haproxy.cfg)."""
    config.log_dir.mkdir(parents=True, exist_ok=True)
    for path, text in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if config.profile == "local":
        path = endpoints_path(config)
        text = "# Written by the launcher from endpoints.yml; edit that file instead.\n"
        path.write_text(text + yaml.safe_dump(local_endpoints(config), sort_keys=False),
                        encoding="utf-8")
