"""The services of the stack: their command lines, health URLs and the URLs worth printing.

    dossiers  python -m bot.dossiers serve         (dossier service, aiohttp)
    actions   python -m rasa_sdk --actions actions (action server, sanic)
    rasa      python -m connectors.rasa_entry run  (Rasa: channels, NLU, dialogue, HTTP API)
    web       python -m bot.web                    (chat page, widget, hand-off console)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from launcher.config import SERVICE_NAMES, Ports, StackConfig
from launcher.environment import build_env, without_stack_vars

DESCRIPTIONS = {
    "dossiers": "dossier service",
    "actions": "action server",
    "rasa": "Rasa",
    "web": "web app",
}
LOCAL_ENDPOINTS = "endpoints.yml"
PRODUCTION_ENDPOINTS = "endpoints.prod.yml"


@dataclass(frozen=True)
class Service:
    name: str
    description: str
    argv: tuple[str, ...]
    port: int
    health_url: str
    urls: tuple[tuple[str, str], ...]  # (label, URL) for the start-up summary


@dataclass(frozen=True)
class StackPlan:
    config: StackConfig
    env: Mapping[str, str]
    generated: tuple[str, ...]
    services: tuple[Service, ...]

    def service(self, name: str) -> Service:
        for service in self.services:
            if service.name == name:
                return service
        known = ", ".join(service.name for service in self.services)
        raise KeyError(f"unknown service {name!r}; known: {known}")

    def endpoints_path(self) -> Path:
        return endpoints_path(self.config)


def endpoints_path(config: StackConfig) -> Path:
    """Production: endpoints.prod.yml as it is. Local: a copy of endpoints.yml written into the
    state directory on start (its SQLite files moved there), see `launcher.state`."""
    if config.profile == "production":
        return config.root / PRODUCTION_ENDPOINTS
    return config.state_dir / "endpoints.local.yml"


def _sdk_log_flags(level: str) -> tuple[str, ...]:
    return {"DEBUG": ("--debug",), "WARNING": ("--quiet",), "ERROR": ("--quiet",)}.get(
        level.upper(), ())


def build_services(config: StackConfig, env: Mapping[str, str]) -> tuple[Service, ...]:
    python, host, ports = str(config.python), config.host, config.ports
    web_host = config.web_host
    credentials = config.credentials or config.root / "credentials.yml"
    log_flags = _sdk_log_flags(env.get("LOG_LEVEL", ""))
    rasa = f"http://{host}:{ports.rasa}"
    shown_web_host = host if web_host in ("0.0.0.0", "::", "") else web_host  # noqa: S104
    web = f"http://{shown_web_host}:{ports.web}"
    return (
        Service("dossiers", DESCRIPTIONS["dossiers"],
                (python, "-m", "bot.dossiers", "serve", "--host", host,
                 "--port", str(ports.dossiers)),
                ports.dossiers, f"http://{host}:{ports.dossiers}/health",
                (("health", f"http://{host}:{ports.dossiers}/health"),)),
        Service("actions", DESCRIPTIONS["actions"],
                (python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(ports.actions),
                 *log_flags),
                ports.actions, f"http://{host}:{ports.actions}/health",
                (("health", f"http://{host}:{ports.actions}/health"),)),
        Service("rasa", DESCRIPTIONS["rasa"],
                (python, "-m", "connectors.rasa_entry", "run", "--model", str(config.model),
                 # The API token reaches Rasa through RASA_API_TOKEN in its environment
                 # (connectors/rasa_entry.py), never on the command line: every local user
                 # can read a process's arguments, not its environment.
                 "--enable-api",
                 "--interface", host, "--port", str(ports.rasa),
                 "--endpoints", str(endpoints_path(config)), "--credentials", str(credentials)),
                ports.rasa, f"{rasa}/",
                (("REST", f"{rasa}/webhooks/rest/webhook"), ("socket.io", f"{rasa}/socket.io"))),
        Service("web", DESCRIPTIONS["web"],
                (python, "-m", "bot.web", "--host", web_host, "--port", str(ports.web)),
                ports.web, f"http://{host}:{ports.web}/health",
                (("chat page", f"{web}/"), ("officer console", f"{web}/officer/"))),
    )


def plan_stack(config: StackConfig, base_env: Mapping[str, str]) -> StackPlan:
    """Commands and environment of every service; nothing is written or started yet."""
    env = build_env(config, base_env)
    services = build_services(config, env.values)
    assert tuple(s.name for s in services) == SERVICE_NAMES
    return StackPlan(config, env.values, env.generated, services)


def plan_isolated(state_dir: Path, **config: Any) -> StackPlan:
    """A stack for tests and benches: free ports, state in `state_dir`, and none of the
    caller's state paths, ports or URLs (so it never reaches a running `make run`).
    `config` are further StackConfig fields (model, content_dir, overrides, ...)."""
    config.setdefault("ports", Ports.free())
    return plan_stack(StackConfig(state_dir=state_dir, **config), without_stack_vars(os.environ))
