"""One child process: started with its output in its own log file, checked for readiness over
HTTP, stopped with its stop signal (SIGTERM; HAProxy: SIGUSR1, its soft stop), a wait, then
SIGKILL.

SIGTERM is a graceful stop for every service of the stack: the web app and the dossier service
(aiohttp) and Rasa and the action server (Sanic) close their listening socket at once (HAProxy
sends new connections to another replica), finish the requests in flight, then exit."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.private_files import make_private
from launcher.services import Service

TAIL_LINES = 40
POLL_SECONDS = 0.3


class ServiceStartError(RuntimeError):
    """A service did not become healthy; the message names it and ends with its log's tail."""

    def __init__(self, service: str, reason: str, log_path: Path | None = None) -> None:
        self.service = service
        self.reason = reason
        self.log_path = log_path
        self.tail = log_tail(log_path) if log_path is not None else ""
        message = f"{service} did not start: {reason}"
        if log_path is not None:
            message += f"\nlast lines of {log_path}:\n{self.tail or '(the log is empty)'}"
        super().__init__(message)


def log_tail(path: Path, lines: int = TAIL_LINES) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback URL we built
            return True
    except urllib.error.HTTPError as exc:
        return exc.code < 500  # it answers; e.g. a 404 at a path without a page
    except OSError:
        return False


@dataclass
class Running:
    service: Service
    process: subprocess.Popen[bytes]
    log_path: Path
    started_at: float = field(default_factory=time.monotonic)
    ready_seconds: float | None = None  # from spawn until the health URL answered

    def exited(self) -> bool:
        return self.process.poll() is not None


def spawn(service: Service, env: Mapping[str, str], cwd: Path, log_path: Path) -> Running:
    """Start the process, its stdout and stderr into `log_path` (truncated first, mode 0600). Python
    output is unbuffered so the log is in order and current when its tail is shown."""
    make_private(log_path)  # 0600: owners' words can reach a log despite the masking
    env = {"PYTHONUNBUFFERED": "1", **env}
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - argv built by launcher.services
            list(service.argv), cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT)
    return Running(service, process, log_path)


def wait_ready(running: Running, timeout: float) -> None:
    """Return when the health URL answers; raise ServiceStartError when the process exits or
    the time is up."""
    deadline = time.monotonic() + timeout
    name = running.service.name
    while True:
        code = running.process.poll()
        if code is not None:
            raise ServiceStartError(name, f"exited with {code}", running.log_path)
        if http_ok(running.service.health_url):
            running.ready_seconds = time.monotonic() - running.started_at
            return
        if time.monotonic() >= deadline:
            raise ServiceStartError(
                name, f"{running.service.health_url} did not answer within {timeout:.0f} s",
                running.log_path)
        time.sleep(POLL_SECONDS)


def stop_all(processes: Sequence[subprocess.Popen[bytes]], timeout: float,
             stop_signal: int = signal.SIGTERM) -> None:
    """`stop_signal` (SIGTERM) to all, wait up to `timeout` seconds in total for them to finish
    what they are doing, then SIGKILL the rest."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(stop_signal)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
