"""End-to-end fixtures: the trained model served by a real Rasa server and action server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "ondernemersloket.tar.gz"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def require_model() -> None:
    if MODEL.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("models/ondernemersloket.tar.gz missing: make test trains before unit tests")
    pytest.skip("no trained model (run make train)")


def env_for(action_url: str) -> dict[str, str]:
    env = os.environ.copy()
    env.update(RASA_TELEMETRY_ENABLED="false", SANIC_HOST="127.0.0.1",
               ACTION_SERVER_URL=action_url, ACTION_TIMEOUT_SECONDS="4")
    return env


@pytest.fixture(scope="session")
def action_server() -> Iterator[str]:
    require_model()
    port = free_port()
    env = env_for("")
    proc = subprocess.Popen([str(BIN / "python"), "-m", "rasa_sdk", "--actions", "actions",
                             "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/health", proc)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        stop(proc)


def start_rasa(tmp: Path, action_url: str) -> tuple[subprocess.Popen[bytes], str]:
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "{action_url}"\n', encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "python"), "-m", "connectors.rasa_entry", "run", "--model", str(MODEL),
         "--interface", "127.0.0.1", "--port", str(port), "--endpoints", str(endpoints),
         "--credentials", str(ROOT / "credentials.yml")],
        cwd=ROOT, env=env_for(action_url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{port}/", proc)
    return proc, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def rasa_url(action_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = start_rasa(tmp_path_factory.mktemp("rasa"), action_server)
    try:
        yield url
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def rasa_without_actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Rasa server whose action server is down (nothing listens on the port)."""
    require_model()
    dead = f"http://127.0.0.1:{free_port()}/webhook"
    proc, url = start_rasa(tmp_path_factory.mktemp("rasa_down"), dead)
    try:
        yield url
    finally:
        stop(proc)
