"""SIGTERM while a request is in flight: the real web app (aiohttp) and a real action server
(rasa-sdk on Sanic, the server Rasa runs on too) stop taking connections at once, still answer
the request they are working on, then exit."""

from __future__ import annotations

import json
import signal
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from launcher import plan_isolated
from launcher.config import free_port
from launcher.process import Running, spawn, stop_all, wait_ready
from launcher.services import Service

SLOW_SECONDS = 3.0
REPLY = "Voor een terras op het openbaar domein hebt u een vergunning nodig."

SLOW_ACTIONS = f'''
import asyncio
from rasa_sdk import Action


class ActionSlow(Action):
    def name(self):
        return "action_slow"

    async def run(self, dispatcher, tracker, domain):
        await asyncio.sleep({SLOW_SECONDS})
        dispatcher.utter_message(text={REPLY!r})
        return []
'''


class SlowRasa(BaseHTTPRequestHandler):
    """Rasa's REST channel, taking SLOW_SECONDS to answer."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(SLOW_SECONDS)
        reply = json.dumps([{"recipient_id": body["sender"], "text": REPLY}]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def slow_rasa() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def accepts_connections(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return reply.status, json.loads(reply.read())


def terminate_during(running: Running, port: int, call: Future[Any]) -> float:
    """SIGTERM once the request is in flight; how long the process took to exit. Checks that
    no new connection is taken meanwhile."""
    time.sleep(1.0)  # the request is being worked on
    assert not call.done()
    running.process.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    deadline = sent + 2
    while accepts_connections(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not accepts_connections(port), "still accepting connections after SIGTERM"
    assert running.process.poll() is None, "exited before finishing its request"
    running.process.wait(timeout=20)
    return time.monotonic() - sent


def test_the_web_app_answers_the_message_in_flight_then_exits(
        tmp_path: Path, slow_rasa: str) -> None:
    plan = plan_isolated(tmp_path, overrides={"RASA_URL": slow_rasa, "INSIGHTS": "off",
                                              "PURGE_INTERVAL_SECONDS": "off"})
    web = plan.service("web")
    running = spawn(web, plan.env_of(web), plan.config.root, tmp_path / "web.log")
    try:
        wait_ready(running, 60)
        with ThreadPoolExecutor(1) as pool:
            call = pool.submit(post, f"http://127.0.0.1:{web.port}/api/chat",
                               {"message": "mag ik een terras zetten?"},
                               {"Origin": f"http://127.0.0.1:{web.port}"})
            took = terminate_during(running, web.port, call)
            status, body = call.result(timeout=10)
    finally:
        stop_all([running.process], 5)
    assert status == 200
    assert [m["text"] for m in body["messages"]] == [REPLY]
    assert running.process.returncode == 0
    assert took < SLOW_SECONDS + 5


def test_the_action_server_finishes_the_action_in_flight_then_exits(tmp_path: Path) -> None:
    package = tmp_path / "slow_actions"
    package.mkdir()
    (package / "__init__.py").write_text(SLOW_ACTIONS, encoding="utf-8")
    port = free_port()
    service = Service("actions", "action server",
                      (sys.executable, "-m", "rasa_sdk", "--actions", "slow_actions",
                       "--port", str(port)), port, f"http://127.0.0.1:{port}/health", ())
    env = {**plan_isolated(tmp_path / "state").env, "PYTHONPATH": str(tmp_path),
           "SANIC_HOST": "127.0.0.1"}
    running = spawn(service, env, tmp_path, tmp_path / "actions.log")
    try:
        wait_ready(running, 60)
        call_body = {"next_action": "action_slow", "sender_id": "owner-1", "version": "3.6.2",
                     "tracker": {"sender_id": "owner-1", "slots": {}, "latest_message": {},
                                 "events": [], "paused": False, "followup_action": None,
                                 "active_loop": {}, "latest_action_name": None},
                     "domain": {}}
        with ThreadPoolExecutor(1) as pool:
            call = pool.submit(post, f"http://127.0.0.1:{port}/webhook", call_body)
            took = terminate_during(running, port, call)
            status, body = call.result(timeout=10)
    finally:
        stop_all([running.process], 5)
    assert status == 200
    assert [r.get("text") for r in body["responses"]] == [REPLY]
    assert running.process.returncode == 0
    assert took < SLOW_SECONDS + 5
