"""The whole assistant with the hand-off: action server, Rasa with its HTTP API, and our web app
with the hand-off service, on free ports, with a throw-away database and a copy of the content
in which the Aalst counter is always open (tests must not depend on the clock)."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import BIN, ROOT, free_port, stop, wait_http
from tests.e2e.conftest import MODEL as DEFAULT_MODEL

MODEL = Path(os.environ.get("ONDERNEMERSLOKET_MODEL", str(DEFAULT_MODEL)))
ALWAYS_OPEN_COUNTER = "aalst"


@dataclass(frozen=True)
class Stack:
    web_url: str
    rasa_url: str
    rasa_token: str
    officer: str
    officer_display: str
    password: str


def required(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (required in CI)")
    pytest.skip(reason)


def always_open_content(target: Path) -> Path:
    shutil.copytree(ROOT / "content", target)
    tenant_file = target / "tenants" / f"{os.environ.get('TENANT', 'oost-vlaanderen')}.yml"
    tenant = yaml.safe_load(tenant_file.read_text(encoding="utf-8"))
    tenant["public_holidays"] = []
    for counter in tenant["counters"]:
        if counter["id"] == ALWAYS_OPEN_COUNTER:
            counter["opening_hours"] = {day: ["00:00-23:59"] for day in
                                        ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
            counter.pop("closed_days", None)
    tenant_file.write_text(yaml.safe_dump(tenant, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    return target


def _start(name: str, cmd: list[str], env: dict[str, str], logs: Path, health: str
           ) -> subprocess.Popen[bytes]:
    with (logs / f"{name}.log").open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_http(health, proc)
    except RuntimeError:
        stop(proc)
        raise RuntimeError(f"{name} did not start; see {logs / (name + '.log')}") from None
    return proc


@contextmanager
def handoff_stack(tmp: Path) -> Iterator[Stack]:
    if not MODEL.exists():
        required("no trained model (run make train)")
    web_port, rasa_port, action_port = free_port(), free_port(), free_port()
    rasa_token, service_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    password = "stack-test-" + secrets.token_urlsafe(12)
    env = os.environ.copy()
    env.update(
        RASA_TELEMETRY_ENABLED="false", SANIC_HOST="127.0.0.1", ACTION_TIMEOUT_SECONDS="6",
        CONTENT_DIR=str(always_open_content(tmp / "content")),
        HANDOFF_DB=str(tmp / "handoff.sqlite3"), HANDOFF_SERVICE_TOKEN=service_token,
        HANDOFF_SERVICE_URL=f"http://127.0.0.1:{web_port}",
        RASA_URL=f"http://127.0.0.1:{rasa_port}", RASA_API_TOKEN=rasa_token,
        ACTION_SERVER_URL=f"http://127.0.0.1:{action_port}/webhook")
    subprocess.run([str(BIN / "python"), "-m", "bot.handoff", "create-officer", "--name", "sofie",
                    "--display-name", "Sofie", "--counter", ALWAYS_OPEN_COUNTER,
                    "--password-stdin"], input=password.encode() + b"\n", cwd=ROOT, env=env,
                   check=True, capture_output=True)
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "{env["ACTION_SERVER_URL"]}"\n',
                         encoding="utf-8")
    procs = []
    try:
        procs.append(_start("actions", [str(BIN / "python"), "-m", "rasa_sdk", "--actions",
                                        "actions", "--port", str(action_port)], env, tmp,
                            f"http://127.0.0.1:{action_port}/health"))
        procs.append(_start("rasa", [
            str(BIN / "python"), "-m", "connectors.rasa_entry", "run", "--model", str(MODEL),
            "--enable-api", f"--auth-token={rasa_token}", "--interface", "127.0.0.1",
            "--port", str(rasa_port), "--endpoints", str(endpoints),
            "--credentials", str(ROOT / "credentials.yml")], env, tmp, env["RASA_URL"] + "/"))
        procs.append(_start("web", [str(BIN / "python"), "-m", "bot.web", "--host", "127.0.0.1",
                                    "--port", str(web_port)], env, tmp,
                            f"http://127.0.0.1:{web_port}/health"))
        yield Stack(f"http://127.0.0.1:{web_port}", env["RASA_URL"], rasa_token, "sofie",
                    "Sofie", password)
    finally:
        for proc in reversed(procs):
            stop(proc)
