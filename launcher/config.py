"""What a caller chooses: ports, state directory, profile, model, replicas. `make run` reads
them from the environment with the documented defaults; tests take free ports and a temporary
directory.

`Ports` are the public ports (what clients and the other services use). In the local profile
each service listens on its own; in the production profile HAProxy listens on them and the
replicas behind it on free internal ports of 127.0.0.1."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICE_NAMES = ("dossiers", "actions", "rasa", "web")  # start order
PROFILES = ("local", "production")
LOOPBACK = "127.0.0.1"
REPLICATED = ("actions", "rasa", "web")  # what the production profile runs several of
DEFAULT_REPLICAS = 2
PROXY = "proxy"  # the production profile's HAProxy, started first


def free_port(host: str = LOOPBACK) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def free_ports(count: int, host: str = LOOPBACK, avoid: Iterable[int] = ()) -> tuple[int, ...]:
    """`count` distinct ports nothing listens on now, none of them in `avoid` (all sockets are
    held until all are chosen, so the kernel cannot hand out one twice)."""
    avoided = set(avoid)
    while True:
        sockets = [socket.socket() for _ in range(count)]
        try:
            for sock in sockets:
                sock.bind((host, 0))
            numbers = tuple(int(sock.getsockname()[1]) for sock in sockets)
        finally:
            for sock in sockets:
                sock.close()
        if not avoided & set(numbers):
            return numbers


@dataclass(frozen=True)
class Ports:
    dossiers: int = 8100
    actions: int = 5055
    rasa: int = 5005
    web: int = 8000

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Ports:
        """`DOSSIER_PORT`, `ACTION_PORT`, `RASA_PORT`, `WEB_PORT`, else the documented ports."""
        default = cls()
        return cls(dossiers=int(env.get("DOSSIER_PORT") or default.dossiers),
                   actions=int(env.get("ACTION_PORT") or default.actions),
                   rasa=int(env.get("RASA_PORT") or default.rasa),
                   web=int(env.get("WEB_PORT") or default.web))

    @classmethod
    def free(cls, host: str = LOOPBACK) -> Ports:
        """Four distinct ports nothing listens on now and none of the documented ones."""
        return cls(*free_ports(len(SERVICE_NAMES), host, avoid=astuple(cls())))

    def of(self, service: str) -> int:
        if service not in SERVICE_NAMES:
            raise KeyError(f"unknown service {service!r}; known: {', '.join(SERVICE_NAMES)}")
        return int(getattr(self, service))


@dataclass(frozen=True)
class StackConfig:
    """Everything that differs between `make run`, a test and a bench.

    `state_dir` holds the dossier, hand-off, feedback and tracker databases, the outbox, the
    composed credentials and endpoints files, and `log/<service>.log`. `overrides` are
    environment values forced on every process (after defaults and the caller's environment).

    `rasa_replicas`, `action_replicas` and `web_replicas` count only in the production profile
    (the local one runs one of each, without a proxy). `internal_ports` pins a replica's port
    by its name (`rasa-1`, `web-2`, `proxy` for HAProxy's stats page); the others get free
    ports.
    `haproxy` is the binary (None: `HAPROXY_PATH`, else on PATH, else /usr/sbin/haproxy).
    """

    state_dir: Path
    ports: Ports = field(default_factory=Ports)
    root: Path = ROOT
    profile: str = "local"
    host: str = LOOPBACK
    web_host: str = LOOPBACK
    model: Path = ROOT / "models" / "ondernemersloket.tar.gz"
    credentials: Path | None = None  # None: credentials.yml of the checkout
    content_dir: Path | None = None  # None: CONTENT_DIR of the environment, else content/
    python: Path = field(default_factory=lambda: Path(sys.executable))
    overrides: Mapping[str, str] = field(default_factory=dict)
    startup_timeout: float = 180.0
    stop_timeout: float = 10.0
    rasa_replicas: int = DEFAULT_REPLICAS
    action_replicas: int = DEFAULT_REPLICAS
    web_replicas: int = DEFAULT_REPLICAS
    internal_ports: Mapping[str, int] = field(default_factory=dict)
    haproxy: str | None = None

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"PROFILE must be one of {', '.join(PROFILES)}, not {self.profile!r}")
        for name, count in (("RASA_REPLICAS", self.rasa_replicas),
                            ("ACTION_REPLICAS", self.action_replicas),
                            ("WEB_REPLICAS", self.web_replicas)):
            if count < 1:
                raise ValueError(f"{name} must be at least 1, not {count}")

    @property
    def proxied(self) -> bool:
        """The production profile: HAProxy on the public ports, replicas behind it."""
        return self.profile == "production"

    def replicas(self, service: str) -> int:
        """How many processes of a service run: one in the local profile and for the dossier
        service."""
        if not self.proxied or service not in REPLICATED:
            return 1
        return {"rasa": self.rasa_replicas, "actions": self.action_replicas,
                "web": self.web_replicas}[service]

    def replica_names(self, service: str) -> tuple[str, ...]:
        """`rasa-1`, `rasa-2`, ... for a replicated service of the production profile (also
        when it runs once there); the service's own name otherwise."""
        if not self.proxied or service not in REPLICATED:
            return (service,)
        return tuple(f"{service}-{n}" for n in range(1, self.replicas(service) + 1))

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "log"

    def log_path(self, service: str) -> Path:
        return self.log_dir / f"{service}.log"


def _count(env: Mapping[str, str], name: str) -> int:
    value = env.get(name) or str(DEFAULT_REPLICAS)
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number of processes, not {value!r}") from None


def make_run_config(env: Mapping[str, str], state_dir: Path | None = None) -> StackConfig:
    """`make run`: documented ports, `PROFILE`, `WEB_HOST`, `RASA_REPLICAS`,
    `ACTION_REPLICAS` and `WEB_REPLICAS` (production profile only, default 2) from the
    environment, state in `var/` unless another directory is given."""
    return StackConfig(state_dir=state_dir or ROOT / "var", ports=Ports.from_env(env),
                       profile=env.get("PROFILE") or "local",
                       web_host=env.get("WEB_HOST") or LOOPBACK,
                       rasa_replicas=_count(env, "RASA_REPLICAS"),
                       action_replicas=_count(env, "ACTION_REPLICAS"),
                       web_replicas=_count(env, "WEB_REPLICAS"))
