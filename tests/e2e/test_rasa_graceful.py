"""Rasa itself given SIGTERM while it works on a message (waiting for a slow action server):
it closes its listener, still answers that message, then exits."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from launcher import Stack, plan_isolated
from tests.e2e.conftest import MODEL, require_model
from tests.launcher.test_graceful_shutdown import accepts_connections, post

SLOW_SECONDS = 3.0
REPLY = "Een ogenblik, ik zoek het voor u op."


class SlowActions(BaseHTTPRequestHandler):
    """An action server that takes SLOW_SECONDS for every action and says REPLY."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(SLOW_SECONDS)
        body = json.dumps({"events": [], "responses": [{"text": REPLY}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def slow_actions() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowActions)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhook"
    server.shutdown()


def test_rasa_answers_the_message_in_flight_then_exits(tmp_path: Path,
                                                       slow_actions: str) -> None:
    require_model()
    plan = plan_isolated(tmp_path, model=MODEL, overrides={
        "ACTION_SERVER_URL": slow_actions, "ACTION_TIMEOUT_SECONDS": "10"})
    with Stack(plan, only=["rasa"]) as stack:
        rasa = stack.running[0]
        port = rasa.service.port
        url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        with ThreadPoolExecutor(1) as pool:
            call = pool.submit(post, url, {"sender": "graceful-1",
                                           "message": "mag ik een terras zetten in Aalst?"})
            time.sleep(1.5)
            assert not call.done(), "no custom action ran: nothing was in flight"
            rasa.process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 3
            while accepts_connections(port) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not accepts_connections(port), "still accepting connections after SIGTERM"
            status, replies = call.result(timeout=30)
            rasa.process.wait(timeout=30)
        assert status == 200
        assert REPLY in [reply.get("text") for reply in replies]
        assert rasa.process.returncode == 0
