"""HAProxy for the production profile: its configuration rendered from the template in
deploy/haproxy/, where the binary is, and what its status page says about each replica."""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import time
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template

from launcher.config import LOOPBACK, SERVICE_NAMES, StackConfig

TEMPLATE = "deploy/haproxy/haproxy.cfg.tmpl"
CONFIG_NAME = "haproxy.cfg"  # in the state directory
ADMIN_SOCKET_NAME = "haproxy.sock"  # HAProxy's runtime API, in the state directory
DEBIAN_PATH = "/usr/sbin/haproxy"  # not on a normal user's PATH on Debian
HEALTH_PATHS = {"dossiers": "/health", "actions": "/health", "rasa": "/", "web": "/health"}


@dataclass(frozen=True)
class Replica:
    """One process behind the proxy: `rasa-2` of the service `rasa` on 127.0.0.1:<port>."""

    service: str
    name: str
    port: int


def find_haproxy(env: Mapping[str, str]) -> str:
    """`HAPROXY_PATH`, else `haproxy` on PATH, else Debian's /usr/sbin/haproxy (which
    scripts/install_haproxy.sh installs); `haproxy` when none is there (the start fails
    saying so)."""
    given = env.get("HAPROXY_PATH")
    if given:
        return given
    found = shutil.which("haproxy", path=env.get("PATH"))
    if found:
        return found
    return DEBIAN_PATH if os.access(DEBIAN_PATH, os.X_OK) else "haproxy"


def bind_address(host: str, port: int) -> str:
    """HAProxy's `bind` address: `0.0.0.0:8000`, `:8000` for every IPv4 address, `:::8000`
    for an IPv6 one (the last colon separates the port)."""
    return f"{host}:{port}"


def _servers(replicas: Iterable[Replica], extra: str = "check") -> str:
    lines = []
    for replica in replicas:
        options = extra.format(name=replica.name)
        lines.append(f"    server {replica.name} {LOOPBACK}:{replica.port} {options}")
    return "\n".join(lines)


def render(config: StackConfig, replicas: Iterable[Replica], stats_port: int) -> str:
    """The HAProxy configuration of this stack: one frontend per public port, every replica of
    the service behind it with its health check."""
    by_service: dict[str, list[Replica]] = {name: [] for name in SERVICE_NAMES}
    for replica in replicas:
        by_service[replica.service].append(replica)
    missing = [name for name, members in by_service.items() if not members]
    if missing:
        raise ValueError(f"no replica for {', '.join(missing)}")
    ports, host = config.ports, config.host
    values = {
        "stats_bind": bind_address(LOOPBACK, stats_port),
        "admin_socket": str(admin_socket(config)),
        "dossiers_bind": bind_address(host, ports.dossiers),
        "actions_bind": bind_address(host, ports.actions),
        "rasa_bind": bind_address(host, ports.rasa),
        "web_bind": bind_address(config.web_host, ports.web),
        "dossiers_servers": _servers(by_service["dossiers"]),
        "actions_servers": _servers(by_service["actions"]),
        "rasa_servers": _servers(by_service["rasa"]),
        "rasa_socketio_servers": _servers(by_service["rasa"],
                                          "track rasa/{name} cookie {name}"),
        "web_servers": _servers(by_service["web"]),
    }
    template = Template((config.root / TEMPLATE).read_text(encoding="utf-8"))
    return template.substitute(values)  # a placeholder without a value fails here


def admin_socket(config: StackConfig) -> Path:
    return config.state_dir.resolve() / ADMIN_SOCKET_NAME


def set_server_state(socket_path: Path, backend: str, server: str, state: str,
                     timeout: float = 2.0) -> str:
    """`state` is `maint` (no new requests; the ones it has go on), `drain` or `ready`, through
    HAProxy's runtime API; returns HAProxy's answer (empty when all is well)."""
    if state not in ("maint", "drain", "ready"):
        raise ValueError(f"unknown server state {state!r}")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(socket_path))
        sock.sendall(f"set server {backend}/{server} state {state}\n".encode())
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    return answer.decode("utf-8", "replace").strip()


def server_states(stats_url: str, timeout: float = 2.0) -> dict[tuple[str, str], str]:
    """{(backend, server): status} from HAProxy's CSV status page: `UP`, `DOWN`, `UP 1/2`
    (going down), `DOWN 1/2` (coming back), `MAINT`, `no check`."""
    with urllib.request.urlopen(stats_url.rstrip("/") + ";csv", timeout=timeout) as reply:  # noqa: S310 - loopback
        text = reply.read().decode("utf-8", "replace")
    rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
    return {(row["pxname"], row["svname"]): row["status"] for row in rows
            if row["svname"] not in ("FRONTEND", "BACKEND")}


def not_up(stats_url: str, servers: Iterable[str]) -> list[str]:
    """The servers (replica names) that HAProxy does not route to yet; all when the status
    page does not answer."""
    wanted = set(servers)
    try:
        states = server_states(stats_url)
    except OSError:
        return sorted(wanted)
    return sorted({server for (_, server), status in states.items()
                   if server in wanted and status != "UP"} | (wanted - {s for _, s in states}))


def wait_routed(stats_url: str, servers: Iterable[str], timeout: float,
                poll: float = 0.3) -> list[str]:
    """Wait until HAProxy marks every one of `servers` UP; returns those still not UP when the
    time is up (empty: all routed)."""
    deadline = time.monotonic() + timeout
    while True:
        pending = not_up(stats_url, servers)
        if not pending or time.monotonic() >= deadline:
            return pending
        time.sleep(poll)
