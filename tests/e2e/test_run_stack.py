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

from tests.e2e.conftest import ROOT, free_port, require_model


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_run_starts_everything_answers_and_stops_cleanly():
    require_model()
    ports = {"ACTION_PORT": free_port(), "RASA_PORT": free_port(), "WEB_PORT": free_port(),
             "DOSSIER_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}}
    for key in ("RASA_URL", "ACTION_SERVER_URL", "DOSSIER_SERVICE_URL", "HANDOFF_SERVICE_URL"):
        env.pop(key, None)
    proc = subprocess.Popen([sys.executable, "scripts/run.py"], cwd=ROOT, env=env,
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
