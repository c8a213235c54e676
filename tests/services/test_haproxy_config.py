"""HAProxy itself accepts the configuration the launcher renders (`haproxy -c`), for the
default production plan and a larger one. Needs Debian's haproxy (make install-haproxy): a
missing binary fails in CI and skips elsewhere."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from launcher import Ports, StackConfig, plan_stack
from launcher.proxy import find_haproxy
from launcher.state import prepare_state


def haproxy() -> str:
    binary = find_haproxy(os.environ)  # a full path when it is installed
    if not os.access(binary, os.X_OK):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("haproxy is required in CI (make install-haproxy)")
        pytest.skip("haproxy missing (make install-haproxy)")
    return binary


@pytest.mark.parametrize(("rasa", "actions", "web", "web_host"), [(2, 2, 2, "127.0.0.1"),
                                                                  (3, 1, 3, "0.0.0.0")])
def test_haproxy_accepts_the_rendered_configuration(tmp_path: Path, rasa: int, actions: int,
                                                    web: int, web_host: str) -> None:
    config = StackConfig(state_dir=tmp_path, profile="production", ports=Ports.free(),
                         rasa_replicas=rasa, action_replicas=actions, web_replicas=web,
                         web_host=web_host)
    plan = plan_stack(config, {})
    prepare_state(config, plan.files)
    checked = subprocess.run([haproxy(), "-c", "-f", str(tmp_path / "haproxy.cfg")],
                             capture_output=True, text=True, timeout=30, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Configuration file is valid" in checked.stdout + checked.stderr
    assert "WARNING" not in checked.stdout + checked.stderr
