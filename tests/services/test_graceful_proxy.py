"""A rolling stop behind HAProxy, as the production profile runs it: two action server
replicas (rasa-sdk on Sanic, like Rasa) behind the proxy; the one working on a slow action
gets SIGTERM. That action's reply still arrives, and every request sent meanwhile is answered
by the other replica: no error, no lost reply."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from launcher import Stack, plan_isolated
from launcher.proxy import find_haproxy
from launcher.services import StackPlan
from tests.launcher.test_graceful_shutdown import REPLY, SLOW_ACTIONS

FAST_ACTION = '''

class ActionFast(Action):
    def name(self):
        return "action_fast"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text="Dag!")
        return []
'''


def call(action: str) -> dict[str, Any]:
    return {"next_action": action, "sender_id": "owner-1", "version": "3.6.2",
            "tracker": {"sender_id": "owner-1", "slots": {}, "latest_message": {},
                        "events": [], "paused": False, "followup_action": None,
                        "active_loop": {}, "latest_action_name": None},
            "domain": {}}


def post(url: str, body: dict[str, Any]) -> tuple[int, list[str]]:
    request = urllib.request.Request(url, json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, [r.get("text") for r in json.loads(reply.read())["responses"]]
    except urllib.error.HTTPError as error:
        return error.code, []


def slow_action_plan(tmp_path: Path) -> StackPlan:
    if not os.access(find_haproxy(os.environ), os.X_OK):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("haproxy missing (scripts/install_haproxy.sh), required in CI")
        pytest.skip("haproxy missing (scripts/install_haproxy.sh)")
    package = tmp_path / "code" / "slow_actions"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(SLOW_ACTIONS + FAST_ACTION, encoding="utf-8")
    plan = plan_isolated(tmp_path / "state", profile="production",
                         overrides={"PYTHONPATH": str(tmp_path / "code")})
    services = tuple(
        dataclasses.replace(s, argv=(sys.executable, "-m", "rasa_sdk", "--actions",
                                     "slow_actions", "--port", str(s.port)))
        if s.service == "actions" else s for s in plan.services)
    return dataclasses.replace(plan, services=services)


def busy_replica(stack: Stack) -> str:
    """The action server replica HAProxy has a request open on (its status page's `scur`)."""
    url = stack.url("proxy") + "/stats;csv"
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=2) as reply:
            rows = reply.read().decode().lstrip("# ").splitlines()
        header = rows[0].split(",")
        for row in rows[1:]:
            values = dict(zip(header, row.split(","), strict=False))
            if values["pxname"] == "actions" and values["svname"].startswith("actions-") \
                    and values["scur"] not in ("", "0"):
                return values["svname"]
        time.sleep(0.05)
    raise AssertionError("no replica is working on the slow action")


def test_sigterm_mid_request_behind_the_proxy_loses_nothing(tmp_path: Path) -> None:
    plan = slow_action_plan(tmp_path)
    with Stack(plan, only=["actions"]) as stack:
        webhook = stack.url("actions") + "/webhook"
        with ThreadPoolExecutor(4) as pool:
            slow = pool.submit(post, webhook, call("action_slow"))
            time.sleep(0.5)
            busy = busy_replica(stack)
            process = next(r.process for r in stack.running if r.service.name == busy)
            process.send_signal(signal.SIGTERM)
            meanwhile = [post(webhook, call("action_fast")) for _ in range(20)]
            status, texts = slow.result(timeout=20)
            process.wait(timeout=20)
        after = [post(webhook, call("action_fast")) for _ in range(5)]
    assert (status, texts) == (200, [REPLY])
    assert meanwhile == [(200, ["Dag!"])] * 20
    assert after == [(200, ["Dag!"])] * 5
    assert process.returncode == 0


def test_a_rolling_restart_of_both_replicas_under_traffic_loses_nothing(
        tmp_path: Path) -> None:
    plan = slow_action_plan(tmp_path)
    results: list[tuple[int, list[str]]] = []
    with Stack(plan, only=["actions"]) as stack:
        webhook = stack.url("actions") + "/webhook"
        done = False

        def traffic(action: str) -> None:
            while not done:
                results.append(post(webhook, call(action)))

        with ThreadPoolExecutor(3) as pool:
            workers = [pool.submit(traffic, "action_fast"), pool.submit(traffic, "action_fast"),
                       pool.submit(traffic, "action_slow")]
            time.sleep(1)
            before = {r.service.name: r.process.pid for r in stack.running}
            restarted = stack.rolling_restart()  # what `kill -HUP` does to `make run`
            after = {r.service.name: r.process.pid for r in stack.running}
            time.sleep(1)
            done = True
            for worker in workers:
                worker.result(timeout=30)
        assert (tmp_path / "state" / "log" / "actions-1.log.1").exists()
    assert restarted == ["actions-1", "actions-2"]
    assert before["proxy"] == after["proxy"]
    assert all(before[name] != after[name] for name in ("actions-1", "actions-2"))
    slow = [r for r in results if r[1] == [REPLY]]
    errors = [r for r in results if r[0] != 200]
    print(f"\nrolling restart: {len(results)} requests ({len(slow)} slow), {len(errors)} errors")
    assert len(results) > 20 and slow
    assert errors == [], errors
