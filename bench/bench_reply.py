"""Reply latency over the REST channel: the whole hot path (channel, NLU, policies, action
server, routing) on the trained model, with both servers started here on free ports.

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

from tests.e2e.conftest import (  # noqa: E402
    BIN,
    MODEL,
    env_for,
    free_port,
    start_rasa,
    stop,
    wait_http,
)

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
    import subprocess

    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    if not MODEL.exists():
        print("no trained model: run make train", file=sys.stderr)
        return 1
    port = free_port()
    actions = subprocess.Popen([str(BIN / "python"), "-m", "rasa_sdk", "--actions", "actions",
                                "--port", str(port)], cwd=ROOT, env=env_for(""),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rasa = None
    try:
        wait_http(f"http://127.0.0.1:{port}/health", actions)
        rasa, url = start_rasa(Path(tempfile.mkdtemp()), f"http://127.0.0.1:{port}/webhook")
        post(url, "warmup", "hallo")
        timings = []
        for _ in range(args.rounds):
            sender = "bench-" + secrets.token_hex(6)
            timings += [post(url, sender, text) for text in MESSAGES]
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"reply latency over REST ({len(timings)} replies): "
              f"p50 {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms, "
              f"max {timings[-1]:.0f} ms")
        return 0
    finally:
        if rasa is not None:
            stop(rasa)
        stop(actions)


if __name__ == "__main__":
    sys.exit(main())
