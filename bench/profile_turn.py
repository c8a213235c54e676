"""Where a turn's time goes: our stack on free ports with bench/profiled.py, single user.

Starts the action server and Rasa under the profiler, warms up, measures NLU alone
(`/model/parse`), then profiles both processes while single-user turns run:
  --mode timers (default)  wall-clock timers around NLU, policies, remote action, tracker store,
                           event broker and reply contract (negligible overhead), ms per turn;
  --mode sampler           pyinstrument trees (var/bench/profile/*.txt) split into buckets; its
                           per-call overhead inflates Python-heavy code.
  --history N              profile turns N+1.. of one conversation instead of fresh ones.

Usage: .venv/bin/python bench/profile_turn.py [--mode timers|sampler] [--history 90]
Not part of `make bench` (slower, and it measures one side only).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_stack import OURS, check_ours  # noqa: E402
from bench.load import Run, conversation, measure, percentile, sender_id, session_for  # noqa: E402
from bench.procs import STATE, start_ours, stop  # noqa: E402

OUT = STATE / "profile"
RASA_SITE = f"{os.sep}rasa{os.sep}"

# (bucket, file path fragment, function names or None for every function in the file)
RASA_BUCKETS: list[tuple[str, str, frozenset[str] | None]] = [
    ("tracker store (SQLite read/write, event (de)serialisation)",
     "rasa/core/tracker_store.py", None),
    ("lock store", "rasa/core/lock_store.py", None),
    ("NLU (parse_message)", "rasa/core/processor.py",
     frozenset({"parse_message", "_parse_message_with_graph"})),
    ("policies (predict next action)", "rasa/core/processor.py",
     frozenset({"_predict_next_with_tracker", "predict_next_with_tracker_if_should",
                "predict_next_with_tracker"})),
    ("remote action call, Rasa side (tracker to JSON, HTTP, events back)",
     "rasa/core/actions/action.py", frozenset({"run"})),
    ("reply contract (connectors/rest.py finish_turn)", "connectors/rest.py",
     frozenset({"finish_turn"})),
    ("event loop waiting (action server, client)", "", frozenset({
        "run_forever", "run_until_complete", "select", "poll", "_run_once", "serve"})),
]
SDK_BUCKETS: list[tuple[str, str, frozenset[str] | None]] = [
    ("our action code (actions/, bot/)", "/work/main/actions/", None),
    ("our action code (actions/, bot/)", "/work/main/bot/", None),
    ("rasa_sdk (tracker from JSON, dispatch)", "rasa_sdk/", None),
    ("event loop waiting", "", frozenset({
        "run_forever", "run_until_complete", "select", "poll", "_run_once", "serve"})),
]


def bucket_of(frame: object, buckets: Sequence[tuple[str, str, frozenset[str] | None]],
              root: Path) -> str | None:
    path = str(getattr(frame, "file_path", "") or "")
    function = str(getattr(frame, "function", "") or "")
    for name, fragment, functions in buckets:
        fragment = fragment.replace("/work/main/", str(root) + os.sep)
        if fragment and fragment not in path:
            continue
        if functions is None or function in functions:
            return name
    return None


def split(session_path: Path, buckets: Sequence[tuple[str, str, frozenset[str] | None]]
          ) -> tuple[float, dict[str, float]]:
    from pyinstrument.session import Session

    session = Session.load(str(session_path))
    totals: dict[str, float] = {}

    def walk(frame: object, current: str) -> None:
        name = bucket_of(frame, buckets, ROOT) or current
        children = list(getattr(frame, "children", []))
        own = float(getattr(frame, "time", 0.0)) - sum(float(c.time) for c in children)
        totals[name] = totals.get(name, 0.0) + own
        for child in children:
            walk(child, name)

    root = session.root_frame(trim_stem=False)
    if root is not None:
        walk(root, "other (sanic, channel, events, logging)")
    return session.duration, totals


async def parse_ms(url: str, token: str, texts: Sequence[str], rounds: int) -> list[float]:
    timings = []
    async with aiohttp.ClientSession() as session:
        for _ in range(rounds):
            for text in texts:
                started = time.perf_counter()
                async with session.post(f"{url}/model/parse", params={"token": token},
                                        json={"text": text}) as resp:
                    await resp.read()
                timings.append((time.perf_counter() - started) * 1000)
    return timings


def turns_of(url: str, sender: str, count: int) -> Run:
    """`count` more turns of conversation `sender`, one after another."""
    run = Run()
    messages = [OURS[i % len(OURS)] for i in range(count)]

    async def go() -> None:
        async with session_for(1) as session:
            await conversation(session, url, messages, check_ours, run, sender=sender)

    asyncio.run(go())
    return run


def wait_for(paths: Sequence[Path], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not all(p.exists() for p in paths) and time.monotonic() < deadline:
        time.sleep(0.2)


def show(title: str, duration: float, totals: dict[str, float], turns: int) -> None:
    print(f"{title}: {duration:.1f} s sampled over {turns} turns "
          f"({duration / turns * 1000:.0f} ms wall per turn)")
    for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {seconds / turns * 1000:7.1f} ms/turn  {seconds / duration:5.1%}  {name}")


def show_timers(path: Path, turns: int) -> None:
    totals = json.loads(path.read_text(encoding="utf-8"))
    print(f"{path.name} (wall clock, nested timers overlap):")
    for name, (calls, seconds) in totals.items():
        print(f"  {seconds / turns * 1000:7.1f} ms/turn  {calls / turns:5.2f} calls/turn  "
              f"{seconds / calls * 1000:6.1f} ms/call  {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--history", type=int, default=0,
                        help="profile turns HISTORY+1.. of one conversation (0: fresh ones)")
    parser.add_argument("--mode", choices=("sampler", "timers"), default="timers",
                        help="timers: accurate ms per function; sampler: pyinstrument trees")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*"):
        old.unlink()
    env = {"PROFILE_DIR": str(OUT), "PROFILE_MODE": args.mode}
    stack = start_ours(STATE / "profile-state", extra_env=env,
                       wrap=[str(ROOT / "bench" / "profiled.py")])
    try:
        token = stack.env["RASA_API_TOKEN"]
        measure(stack.url, [list(OURS)] * 2, check_ours, 1)
        nlu = asyncio.run(parse_ms(stack.url, token, OURS, 5))
        pids = [p.popen.pid for p in stack.procs]
        sender = sender_id("profile")
        if args.history:
            turns_of(stack.url, sender, args.history)
        for pid in pids:
            os.kill(pid, signal.SIGUSR1)
        time.sleep(0.5)
        if args.history:
            run = turns_of(stack.url, sender, len(OURS) * args.conversations // 4)
        else:
            run = measure(stack.url, [list(OURS)] * args.conversations, check_ours, 1)
        time.sleep(0.2)
        for pid in pids:
            os.kill(pid, signal.SIGUSR2)
        suffix = ".timers.json" if args.mode == "timers" else ".txt"
        sessions = [OUT / f"connectors.{name}_entry{suffix}" for name in ("rasa", "actions")]
        wait_for(sessions)
    finally:
        stop(stack.procs[::-1])
    turns = len(run.turns)
    print(f"{turns} turns profiled (after {args.history} turns of history): "
          f"p50 {percentile(run.ms(), 0.5):.0f} ms, failed {run.failures}")
    print(f"NLU alone (/model/parse, {len(nlu)} calls): p50 {statistics.median(nlu):.1f} ms")
    if args.mode == "timers":
        for path in sessions:
            show_timers(path, turns)
        return 0
    show("Rasa", *split(sessions[0].with_suffix(".pyisession"), RASA_BUCKETS), turns)
    show("action server", *split(sessions[1].with_suffix(".pyisession"), SDK_BUCKETS), turns)
    print(f"full trees: {OUT.relative_to(ROOT)}/*.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
