"""A TCP HAProxy between the stack and the machine's Redis and RabbitMQ, so `make faulttest`
can take either server away from the stack (and only from the stack: other users of the
machine's servers are not disturbed) through HAProxy's runtime API.

"Down" puts the server in maintenance and cuts its open connections: the stack's clients
see their connections reset and new ones closed at once, as with a stopped server. "Up"
takes it out of maintenance.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from launcher.config import LOOPBACK, free_ports
from launcher.proxy import find_haproxy

CONFIG = """global
    stats socket {socket} mode 600 level admin
    maxconn 2048

defaults
    mode tcp
    timeout connect 2s
    timeout client 1h
    timeout server 1h

{sections}
"""
SECTION = """listen {name}
    bind {host}:{port}
    server real {target}
"""


@dataclass(frozen=True)
class FaultProxy:
    socket_path: Path
    ports: Mapping[str, int]  # server name -> the port the stack uses instead

    def command(self, line: str) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(self.socket_path))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(4096):
                chunks.append(chunk)
        return b"".join(chunks).decode(errors="replace")

    def down(self, name: str) -> None:
        self.command(f"disable server {name}/real")
        self.command(f"shutdown sessions server {name}/real")

    def up(self, name: str) -> None:
        self.command(f"enable server {name}/real")


@contextmanager
def fault_proxy(state_dir: Path, targets: Mapping[str, str],
                env: Mapping[str, str]) -> Iterator[FaultProxy]:
    """HAProxy forwarding each of `targets` (name -> host:port) from a free local port."""
    ports = dict(zip(targets, free_ports(len(targets)), strict=True))
    socket_path = state_dir / "fault-proxy.sock"
    sections = "\n".join(SECTION.format(name=name, host=LOOPBACK, port=ports[name],
                                        target=target) for name, target in targets.items())
    config = state_dir / "fault-proxy.cfg"
    config.write_text(CONFIG.format(socket=socket_path, sections=sections), encoding="utf-8")
    log = (state_dir / "fault-proxy.log").open("w", encoding="utf-8")
    process = subprocess.Popen([find_haproxy(env), "-db", "-f", str(config)],
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while not socket_path.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the fault proxy did not start; see {log.name}")
            time.sleep(0.1)
        yield FaultProxy(socket_path, ports)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
