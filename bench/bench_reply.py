"""Reply latency over the REST channel: the whole hot path (channel, NLU, policies, action
server, routing) on the trained model, with both servers started by the launcher on free ports
and a temporary state directory.

Usage: .venv/bin/python bench/bench_reply.py [--rounds N]
Prints p50 / p95 / max milliseconds per reply for a mix of realistic owner messages.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from launcher import ServiceStartError, Stack, plan_isolated  # noqa: E402

MODEL = ROOT / "models" / "ondernemersloket.tar.gz"

MESSAGES = [
    "hallo",
    "Mag ik een terras zetten voor mijn café in Aalst?",
    "hoe werkt de kmo portefeuille",
    "ik wil een foodtruck uitbaten op de markt van Lokeren",
    "9000",
    "wat kan je allemaal",
    "wie wint de match zondag",
    "ik wil iemand van het loket spreken",
]


def post(url: str, sender: str, text: str) -> float:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url + "/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    if not MODEL.exists():
        print("no trained model: run make train", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="bench_reply_") as state:
        plan = plan_isolated(Path(state), model=MODEL)
        try:
            with Stack(plan, only=["actions", "rasa"]) as stack:
                return measure(stack.url("rasa"), args.rounds)
        except ServiceStartError as exc:
            print(exc, file=sys.stderr)
            return 1


def measure(url: str, rounds: int) -> int:
    post(url, "warmup", "hallo")
    timings = []
    for _ in range(rounds):
        sender = "bench-" + secrets.token_hex(6)
        timings += [post(url, sender, text) for text in MESSAGES]
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"reply latency over REST ({len(timings)} replies): "
          f"p50 {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms, "
          f"max {timings[-1]:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
