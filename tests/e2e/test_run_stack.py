"""The whole stack as `make run` starts it: up, a Dutch answer to "hallo", clean stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from launcher import Ports, without_stack_vars
from tests.e2e.conftest import ROOT, require_model


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_run_starts_everything_answers_and_stops_cleanly(tmp_path):
    require_model()
    free = Ports.free()
    ports = {"ACTION_PORT": free.actions, "RASA_PORT": free.rasa, "WEB_PORT": free.web,
             "DOSSIER_PORT": free.dossiers}
    env = {**without_stack_vars(os.environ), **{k: str(v) for k, v in ports.items()}}
    proc = subprocess.Popen([sys.executable, "scripts/run.py", "--state-dir", str(tmp_path)],
                            cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, text=True)
    try:
        deadline = time.monotonic() + 300
        output = []
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            output.append(line)
            if "Press Ctrl-C to stop" in line:
                break
        printed = "".join(output)
        assert f"http://127.0.0.1:{ports['WEB_PORT']}/" in printed, printed[-2000:]
        assert "Warning" not in printed, printed  # third-party warnings go to the log files
        assert len(printed.splitlines()) < 20, printed
        assert {p.name for p in (tmp_path / "log").iterdir()} == {
            "dossiers.log", "actions.log", "rasa.log", "web.log"}
        body = json.dumps({"sender": "stack-test", "message": "hallo"}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook", data=body,
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            replies = json.loads(response.read())
        assert replies and replies[0]["text"].startswith("Dag")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    time.sleep(1)
    assert not any(port_open(port) for port in ports.values()), "a port stayed taken"
