"""Locust user for `make loadtest`: an owner who replays one conversation of
conversations.json over the REST channel, then starts another, until the run's message budget
is spent. Runs in its own virtualenv (.venv-load), so it imports nothing of the project.

Environment: LOAD_MESSAGES (budget, default 10000), LOAD_SUMMARY (where the JSON summary goes),
LOAD_SEED (random seed). Per message it checks what an owner would notice: an HTTP 200 with a
JSON list of messages, at least one text, the reply contract on every message, and no
"technical problem" apology. A reply that fails a check is a Locust failure with the reason.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from locust import events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser
from replies import Budget, offered, problem, references  # this folder (Locust's sys.path)

WEBHOOK = "/webhooks/rest/webhook"
CONVERSATIONS = json.loads(
    (Path(__file__).with_name("conversations.json")).read_text(encoding="utf-8"))["conversations"]


BUDGET = Budget(int(os.environ.get("LOAD_MESSAGES", "10000")),
                stop_file=os.environ.get("LOAD_STOP_FILE") or None)
RANDOM = random.Random(int(os.environ.get("LOAD_SEED", "7")))
OUTCOMES: dict[str, Any] = {"conversations": {}, "failures": {}, "apologies": 0,
                            "lost_replies": 0, "empty_replies": 0,
                            "timeline": []}  # [time the reply came, "" or why it failed]
OUTCOMES_LOCK = threading.Lock()


def pick_conversation() -> dict[str, Any]:
    weights = [c.get("weight", 1) for c in CONVERSATIONS]
    return RANDOM.choices(CONVERSATIONS, weights=weights, k=1)[0]


def record(sender: str, kind: str, refs: set[str], finished: bool) -> None:
    with OUTCOMES_LOCK:
        OUTCOMES["conversations"][sender] = {"kind": kind, "references": sorted(refs),
                                             "finished": finished}


def count_failure(reason: str) -> None:
    with OUTCOMES_LOCK:
        OUTCOMES["timeline"].append([time.time(), reason])
        OUTCOMES["failures"][reason] = OUTCOMES["failures"].get(reason, 0) + 1
        if reason == "apology":
            OUTCOMES["apologies"] += 1
        elif reason == "empty reply":
            OUTCOMES["empty_replies"] += 1
        elif reason.startswith(("HTTP", "no JSON", "connection")):
            OUTCOMES["lost_replies"] += 1


class Owner(FastHttpUser):
    network_timeout = 60.0
    connection_timeout = 10.0

    @task
    def converse(self) -> None:
        conversation = pick_conversation()
        kind, expect = conversation["kind"], conversation.get("expect")
        sender = f"load-{kind}-{uuid.uuid4().hex[:12]}"
        replies: list[dict[str, Any]] = []
        refs: set[str] = set()
        for index, step in enumerate(conversation["steps"]):
            text = offered(replies).get(step["button"]) if isinstance(step, dict) else step
            if text is None:  # the button is not there: the conversation went elsewhere
                count_failure(f"no button {step['button']!r}")
                break
            if not BUDGET.take():
                record(sender, kind, refs, finished=False)
                if BUDGET.idle():  # the last reply came in before the run was stopped
                    self.environment.runner.quit()
                raise StopUser()
            replies = self.say(sender, text, f"{kind} {index + 1:02d}")
            if expect:
                refs |= references(replies, expect)
            if BUDGET.done():
                record(sender, kind, refs, finished=index == len(conversation["steps"]) - 1)
                self.environment.runner.quit()
                return
        record(sender, kind, refs, finished=True)

    def say(self, sender: str, text: str, name: str) -> list[dict[str, Any]]:
        body = {"sender": sender, "message": text}
        with self.client.post(WEBHOOK, json=body, name=name, catch_response=True) as response:
            if response.status_code != 200:
                reason = f"HTTP {response.status_code}" if response.status_code else \
                    "connection failed"
                count_failure(reason)
                response.failure(reason)
                return []
            try:
                replies = response.json()
            except ValueError:
                count_failure("no JSON list")
                response.failure("no JSON list")
                return []
            found = problem(replies)
            if found:
                count_failure(found)
                response.failure(found)
            else:
                with OUTCOMES_LOCK:
                    OUTCOMES["timeline"].append([time.time(), ""])
            return replies if isinstance(replies, list) else []


@events.test_start.add_listener
def started(environment: Any, **_kwargs: Any) -> None:
    OUTCOMES["started"] = time.time()


@events.quitting.add_listener
def write_summary(environment: Any, **_kwargs: Any) -> None:
    target = os.environ.get("LOAD_SUMMARY")
    if not target:
        return
    total = environment.stats.total
    seconds = max(time.time() - OUTCOMES.get("started", time.time()), 1e-9)
    summary = {
        **OUTCOMES,
        "seconds": seconds,
        "messages": total.num_requests,
        "failed_messages": total.num_failures,
        "throughput": total.num_requests / seconds,
        "p50_ms": total.get_response_time_percentile(0.5),
        "p95_ms": total.get_response_time_percentile(0.95),
        "p99_ms": total.get_response_time_percentile(0.99),
        "max_ms": total.max_response_time,
    }
    Path(target).write_text(json.dumps(summary, indent=1), encoding="utf-8")
