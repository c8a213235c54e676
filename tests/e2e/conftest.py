"""End-to-end fixtures: the trained model served by a real Rasa server and action server,
started by the launcher on free ports with a temporary state directory (never port 8100 or the
var/ of a developer's running `make run`)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher import ROOT, Stack, StackPlan, plan_isolated
from launcher.config import free_port
from launcher.process import stop_all

MODEL = ROOT / "models" / "ondernemersloket.tar.gz"
BIN = Path(sys.executable).parent
ACTION_TIMEOUT = {"ACTION_TIMEOUT_SECONDS": "4"}

__all__ = ["BIN", "MODEL", "ROOT", "free_port", "require_model", "stop"]


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop one process started outside the launcher (SIGTERM, wait, SIGKILL)."""
    stop_all([proc], timeout=15)


def require_model() -> None:
    if MODEL.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("models/ondernemersloket.tar.gz missing: make test trains before unit tests")
    pytest.skip("no trained model (run make train)")


@pytest.fixture(scope="session")
def e2e_plan(tmp_path_factory: pytest.TempPathFactory) -> StackPlan:
    require_model()
    return plan_isolated(tmp_path_factory.mktemp("e2e_stack"), model=MODEL,
                         overrides=ACTION_TIMEOUT)


@pytest.fixture(scope="session")
def action_server(e2e_plan: StackPlan) -> Iterator[str]:
    with Stack(e2e_plan, only=["actions"]) as stack:
        yield stack.url("actions") + "/webhook"


@pytest.fixture(scope="session")
def rasa_url(action_server: str, e2e_plan: StackPlan) -> Iterator[str]:
    with Stack(e2e_plan, only=["rasa"]) as stack:
        yield stack.url("rasa")


@pytest.fixture(scope="session")
def rasa_without_actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Rasa server whose action server is down (nothing listens on its port)."""
    require_model()
    plan = plan_isolated(tmp_path_factory.mktemp("rasa_down"), model=MODEL,
                         overrides=ACTION_TIMEOUT)
    with Stack(plan, only=["rasa"]) as stack:
        yield stack.url("rasa")
