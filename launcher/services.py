"""The services of the stack: their command lines, health URLs and the URLs worth printing.

    dossiers  python -m bot.dossiers serve         (dossier service, aiohttp)
    actions   python -m connectors.actions_entry --actions actions (rasa_sdk's CLI, logs masked)
    rasa      python -m connectors.rasa_entry run  (Rasa: channels, NLU, dialogue, HTTP API)
    web       python -m bot.web                    (chat page, widget, hand-off console)

Local profile: one process each, on the public ports. Production profile: `proxy` (HAProxy,
launcher/proxy.py) on the public ports, then `dossiers`, `actions-1..N`, `rasa-1..N` and
`web-1..N` on free ports of 127.0.0.1 behind it (RASA_REPLICAS, ACTION_REPLICAS, WEB_REPLICAS).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

from launcher.config import (
    LOOPBACK,
    PROXY,
    SERVICE_NAMES,
    Ports,
    StackConfig,
    free_ports,
)
from launcher.environment import build_env, without_stack_vars
from launcher.proxy import CONFIG_NAME, HEALTH_PATHS, Replica, find_haproxy, render

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
    """One process. `group` is the service it is a replica of (`rasa` for `rasa-2`; empty:
    the process is the service itself), `env` what it gets on top of the plan's environment,
    `binds` the further ports it listens on (HAProxy's public ports), `stop_signal` what asks
    it to stop gracefully."""

    name: str
    description: str
    argv: tuple[str, ...]
    port: int
    health_url: str
    urls: tuple[tuple[str, str], ...]  # (label, URL) for the start-up summary
    group: str = ""
    env: tuple[tuple[str, str], ...] = ()
    binds: tuple[int, ...] = ()
    stop_signal: int = signal.SIGTERM

    @property
    def service(self) -> str:
        return self.group or self.name


@dataclass(frozen=True)
class StackPlan:
    config: StackConfig
    env: Mapping[str, str]
    generated: tuple[str, ...]
    services: tuple[Service, ...]
    files: tuple[tuple[Path, str], ...] = ()  # written into the state directory on start

    def service(self, name: str) -> Service:
        for service in self.services:
            if service.name == name:
                return service
        known = ", ".join(service.name for service in self.services)
        raise KeyError(f"unknown service {name!r}; known: {known}")

    def members(self, name: str) -> tuple[Service, ...]:
        """The processes of a service (its replicas, or itself), or the one process so named."""
        found = tuple(s for s in self.services if s.service == name or s.name == name)
        if not found:
            known = ", ".join(service.name for service in self.services)
            raise KeyError(f"unknown service {name!r}; known: {known}")
        return found

    def env_of(self, service: Service) -> dict[str, str]:
        return {**self.env, **dict(service.env)}

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


def _argv(config: StackConfig, env: Mapping[str, str], service: str, port: int,
          bind_web: str) -> tuple[str, ...]:
    python, host = str(config.python), config.host
    if service == "dossiers":
        return (python, "-m", "bot.dossiers", "serve", "--host", host, "--port", str(port))
    if service == "actions":
        return (python, "-m", "connectors.actions_entry", "--actions", "actions",
                "--port", str(port),
                *_sdk_log_flags(env.get("LOG_LEVEL", "")))
    if service == "rasa":
        credentials = config.credentials or config.root / "credentials.yml"
        return (python, "-m", "connectors.rasa_entry", "run", "--model", str(config.model),
                # The API token reaches Rasa through RASA_API_TOKEN in its environment
                # (connectors/rasa_entry.py), never on the command line: every local user
                # can read a process's arguments, not its environment.
                "--enable-api",
                "--interface", host, "--port", str(port),
                "--endpoints", str(endpoints_path(config)), "--credentials", str(credentials))
    return (python, "-m", "bot.web", "--host", bind_web, "--port", str(port))


def public_urls(config: StackConfig) -> dict[str, tuple[tuple[str, str], ...]]:
    """What clients use, per service: the service itself (local) or the proxy (production)."""
    host, ports = config.host, config.ports
    rasa = f"http://{host}:{ports.rasa}"
    web_host = config.web_host
    shown_web_host = host if web_host in ("0.0.0.0", "::", "") else web_host  # noqa: S104
    web = f"http://{shown_web_host}:{ports.web}"
    return {
        "dossiers": (("health", f"http://{host}:{ports.dossiers}/health"),),
        "actions": (("health", f"http://{host}:{ports.actions}/health"),),
        "rasa": (("REST", f"{rasa}/webhooks/rest/webhook"), ("socket.io", f"{rasa}/socket.io")),
        "web": (("chat page", f"{web}/"), ("officer console", f"{web}/officer/")),
    }


def outbox_path(base: str, replica: str) -> str:
    """Each action server replica keeps its own outbox file beside the configured one:
    `dossier_outbox.sqlite3` -> `dossier_outbox.actions-2.sqlite3`."""
    path = Path(base)
    return str(path.with_name(f"{path.stem}.{replica}{path.suffix}"))


def _local_services(config: StackConfig, env: Mapping[str, str]) -> tuple[Service, ...]:
    host, ports, urls = config.host, config.ports, public_urls(config)
    return tuple(
        Service(name, DESCRIPTIONS[name], _argv(config, env, name, ports.of(name),
                                                config.web_host),
                ports.of(name), f"http://{host}:{ports.of(name)}{HEALTH_PATHS[name]}", urls[name])
        for name in SERVICE_NAMES)


def replicas_of(config: StackConfig) -> tuple[Replica, ...]:
    """The production profile's processes behind the proxy, in start order, each on its
    pinned (`internal_ports`) or a free port of 127.0.0.1."""
    names = [(service, name) for service in SERVICE_NAMES
             for name in config.replica_names(service)]
    pinned = dict(config.internal_ports)
    wanted = [name for _, name in names if name not in pinned]
    avoid = {*astuple(Ports()), *astuple(config.ports), *pinned.values()}
    chosen = dict(zip(wanted, free_ports(len(wanted), avoid=avoid), strict=True))
    return tuple(Replica(service, name, pinned.get(name) or chosen[name])
                 for service, name in names)


def _proxied_services(config: StackConfig, env: Mapping[str, str]
                      ) -> tuple[tuple[Service, ...], tuple[tuple[Path, str], ...]]:
    urls = public_urls(config)
    replicas = replicas_of(config)
    stats_port = config.internal_ports.get(PROXY) or free_ports(
        1, avoid={*astuple(Ports()), *astuple(config.ports), *(r.port for r in replicas)})[0]
    cfg_path = config.state_dir.resolve() / CONFIG_NAME
    stats = f"http://{LOOPBACK}:{stats_port}"
    proxy = Service(PROXY, "proxy (HAProxy)",
                    (config.haproxy or find_haproxy(env), "-db", "-f", str(cfg_path)),
                    stats_port, f"{stats}/health", (("status", f"{stats}/stats"),),
                    binds=astuple(config.ports),
                    stop_signal=signal.SIGUSR1)  # soft stop: finish open connections
    services = [proxy]
    for replica in replicas:
        extra: tuple[tuple[str, str], ...] = ()
        if replica.service == "actions":
            extra = (("DOSSIER_OUTBOX_PATH", outbox_path(env["DOSSIER_OUTBOX_PATH"],
                                                         replica.name)),)
        group = replica.service if replica.name != replica.service else ""
        services.append(Service(
            replica.name, DESCRIPTIONS[replica.service],
            _argv(config, env, replica.service, replica.port, LOOPBACK), replica.port,
            f"http://{LOOPBACK}:{replica.port}{HEALTH_PATHS[replica.service]}",
            urls[replica.service], group=group, env=extra))
    rendered = render(config, replicas, stats_port)
    return tuple(services), ((cfg_path, rendered),)


def plan_stack(config: StackConfig, base_env: Mapping[str, str]) -> StackPlan:
    """Commands and environment of every process; nothing is written or started yet. The
    production profile adds HAProxy (first) and its configuration, rendered here."""
    env = build_env(config, base_env)
    files: tuple[tuple[Path, str], ...] = ()
    if config.proxied:
        services, files = _proxied_services(config, env.values)
    else:
        services = _local_services(config, env.values)
    assert tuple(dict.fromkeys(s.service for s in services if s.name != PROXY)) == SERVICE_NAMES
    return StackPlan(config, env.values, env.generated, services, files)


def plan_isolated(state_dir: Path, **config: Any) -> StackPlan:
    """A stack for tests and benches: free ports, state in `state_dir`, and none of the
    caller's state paths, ports or URLs (so it never reaches a running `make run`).
    `config` are further StackConfig fields (model, content_dir, overrides, ...)."""
    config.setdefault("ports", Ports.free())
    return plan_stack(StackConfig(state_dir=state_dir, **config), without_stack_vars(os.environ))
