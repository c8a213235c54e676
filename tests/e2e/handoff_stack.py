"""The whole assistant with the hand-off: action server, Rasa with its HTTP API, and our web app
with the hand-off service, started by the launcher on free ports, with a throw-away state
directory and a copy of the content in which the Aalst counter is always open (tests must not
depend on the clock)."""

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

from launcher import ROOT, plan_isolated
from launcher import Stack as LauncherStack
from launcher.process import Running, spawn, stop_all, wait_ready
from launcher.services import Service
from tests.e2e.conftest import MODEL as DEFAULT_MODEL

MODEL = Path(os.environ.get("ONDERNEMERSLOKET_MODEL", str(DEFAULT_MODEL)))
ALWAYS_OPEN_COUNTER = "aalst"
SERVICES = ("actions", "rasa", "web")

__all__ = ["ALWAYS_OPEN_COUNTER", "MODEL", "ROOT", "Stack", "always_open_content",
           "handoff_stack", "required"]


@dataclass(frozen=True)
class Stack:
    web_url: str
    rasa_url: str
    rasa_token: str
    officer: str
    officer_display: str
    password: str
    feedback_db: Path | None = None
    log_dir: Path | None = None


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
            counter["opening_hours"] = {day: ["00:00-24:00"] for day in
                                        ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
            counter.pop("closed_days", None)
    tenant_file.write_text(yaml.safe_dump(tenant, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    return target


def _start(name: str, cmd: list[str], env: dict[str, str], logs: Path, health: str
           ) -> subprocess.Popen[bytes]:
    """One process with its log in `logs/<name>.log`, once `health` answers (for stacks that
    are not all launcher services, e.g. tests/browser/fake_stack.py). Prefer launcher.Stack."""
    service = Service(name, name, tuple(cmd), 0, health, ())
    running: Running = spawn(service, env, ROOT, logs / f"{name}.log")
    try:
        wait_ready(running, timeout=180)
    except BaseException:
        stop_all([running.process], timeout=15)
        raise
    return running.process


@contextmanager
def _feedback_db_for_this_process(path: Path) -> Iterator[None]:
    """Tests read the web app's feedback database through FEEDBACK_DB (test_widget.py)."""
    previous = os.environ.get("FEEDBACK_DB")
    os.environ["FEEDBACK_DB"] = str(path)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("FEEDBACK_DB", None)
        else:
            os.environ["FEEDBACK_DB"] = previous


@contextmanager
def handoff_stack(tmp: Path) -> Iterator[Stack]:
    if not MODEL.exists():
        required("no trained model (run make train)")
    password = "stack-test-" + secrets.token_urlsafe(12)
    plan = plan_isolated(tmp, model=MODEL, content_dir=always_open_content(tmp / "content"),
                         overrides={"ACTION_TIMEOUT_SECONDS": "6"})
    created = subprocess.run([str(plan.config.python), "-m", "bot.handoff", "create-officer",
                              "--name", "sofie", "--display-name", "Sofie",
                              "--counter", ALWAYS_OPEN_COUNTER, "--password-stdin"],
                             input=password.encode() + b"\n", cwd=ROOT, env=dict(plan.env),
                             check=False, capture_output=True)
    if created.returncode != 0:
        raise RuntimeError("create-officer failed:\n" + created.stderr.decode(errors="replace"))
    feedback_db = Path(plan.env["FEEDBACK_DB"])
    with LauncherStack(plan, only=SERVICES) as running, \
            _feedback_db_for_this_process(feedback_db):
        yield Stack(running.url("web"), running.url("rasa"), plan.env["RASA_API_TOKEN"],
                    "sofie", "Sofie", password, feedback_db=feedback_db,
                    log_dir=plan.config.log_dir)
