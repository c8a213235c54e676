"""What a caller chooses: ports, state directory, profile, model. `make run` reads them from
the environment with the documented defaults; tests take free ports and a temporary directory."""

from __future__ import annotations

import socket
import sys
from collections.abc import Mapping
from dataclasses import astuple, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICE_NAMES = ("dossiers", "actions", "rasa", "web")  # start order
PROFILES = ("local", "production")
LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


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
        """Four distinct ports nothing listens on now and none of the documented ones (all
        sockets are held until all are chosen, so the kernel cannot hand out one twice)."""
        fixed = set(astuple(cls()))
        while True:
            sockets = [socket.socket() for _ in SERVICE_NAMES]
            try:
                for sock in sockets:
                    sock.bind((host, 0))
                numbers = [int(sock.getsockname()[1]) for sock in sockets]
            finally:
                for sock in sockets:
                    sock.close()
            if not fixed & set(numbers):
                return cls(*numbers)

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

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"PROFILE must be one of {', '.join(PROFILES)}, not {self.profile!r}")

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "log"

    def log_path(self, service: str) -> Path:
        return self.log_dir / f"{service}.log"


def make_run_config(env: Mapping[str, str], state_dir: Path | None = None) -> StackConfig:
    """`make run`: documented ports and `PROFILE`/`WEB_HOST` from the environment, state in
    `var/` unless another directory is given."""
    return StackConfig(state_dir=state_dir or ROOT / "var", ports=Ports.from_env(env),
                       profile=env.get("PROFILE") or "local",
                       web_host=env.get("WEB_HOST") or LOOPBACK)
