"""Run a module (`-m connectors.rasa_entry run ...`, `-m rasa_sdk ...`) with a profiler that
is off until SIGUSR1 and written out on SIGUSR2, so a profile holds the turns of a running
server and not its start-up.

Usage: python bench/profiled.py -m MODULE ARGS...
PROFILE_MODE=sampler (default): pyinstrument on the main thread (Sanic's event loop) by wall
clock, written to $PROFILE_DIR/MODULE.txt and .pyisession. Its per-call overhead inflates
Python-heavy code (event (de)serialisation, jsonschema) more than C code (TensorFlow, SQLite).
PROFILE_MODE=timers: wall-clock timers around the few functions in TIMED (negligible overhead),
written to $PROFILE_DIR/MODULE.timers.json as {name: [calls, seconds]}.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import os
import runpy
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from pyinstrument import Profiler

INTERVAL_SECONDS = 0.001
# (label, module, attribute path) timed in PROFILE_MODE=timers; nested ones overlap.
TIMED: list[tuple[str, str, str]] = [
    ("turn inside Rasa (handle_message)", "rasa.core.processor",
     "MessageProcessor.handle_message"),
    ("NLU (parse_message)", "rasa.core.processor", "MessageProcessor.parse_message"),
    ("policies (one prediction)", "rasa.core.processor",
     "MessageProcessor._predict_next_with_tracker"),
    ("remote action (HTTP round trip + checks)", "rasa.core.actions.action", "RemoteAction.run"),
    ("  of which jsonschema check of the response", "rasa.core.actions.action",
     "RemoteAction._validate_action_result"),
    ("tracker store retrieve", "rasa.core.tracker_store", "SQLTrackerStore.retrieve"),
    ("tracker store save (ours: masking + SQL + events)", "connectors.tracker_store",
     "PrivateSQLTrackerStore.save"),
    ("tracker store save (SQL)", "rasa.core.tracker_store", "SQLTrackerStore.save"),
    ("  of which stream_events (event broker)", "rasa.core.tracker_store",
     "TrackerStore.stream_events"),
    ("  SQL event broker publish (one event)", "rasa.core.brokers.sql", "SQLEventBroker.publish"),
    ("reply contract (finish_turn)", "connectors.rest", "finish_turn"),
    ("action server: one action request", "rasa_sdk.executor", "ActionExecutor.run"),
]


def install_timers(totals: dict[str, list[float]]) -> None:
    for label, module_name, path in TIMED:
        try:
            owner: Any = importlib.import_module(module_name)
        except ImportError:
            continue
        *parents, name = path.split(".")
        for part in parents:
            owner = getattr(owner, part, None)
        original = getattr(owner, name, None) if owner is not None else None
        if original is None:
            continue
        setattr(owner, name, timed(label, original, totals))


def timed(label: str, original: Callable[..., Any],
          totals: dict[str, list[float]]) -> Callable[..., Any]:
    def add(started: float) -> None:
        entry = totals.setdefault(label, [0, 0.0])
        entry[0] += 1
        entry[1] += time.perf_counter() - started

    if inspect.iscoroutinefunction(original):
        @functools.wraps(original)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                add(started)
        return async_wrapper

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            add(started)
    return wrapper


def main() -> None:
    if len(sys.argv) < 3 or sys.argv[1] != "-m":
        raise SystemExit("usage: profiled.py -m MODULE ARGS...")
    module = sys.argv[2]
    out = Path(os.environ.get("PROFILE_DIR") or ".") / module
    sys.path[0] = os.getcwd()  # as `python -m` would have it, not bench/
    if os.environ.get("PROFILE_MODE") == "timers":
        run_with_timers(module, out)
        return
    state: dict[str, Profiler] = {}

    def start(_signum: int, _frame: FrameType | None) -> None:
        if "profiler" not in state:
            state["profiler"] = Profiler(interval=INTERVAL_SECONDS, async_mode="disabled")
            state["profiler"].start()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        profiler = state.pop("profiler", None)
        if profiler is None:
            return
        session = profiler.stop()
        session.save(str(out) + ".pyisession")
        text = profiler.output_text(unicode=True, color=False, show_all=False)
        Path(str(out) + ".txt").write_text(text, encoding="utf-8")

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    run(module)


def run_with_timers(module: str, out: Path) -> None:
    totals: dict[str, list[float]] = {}
    install_timers(totals)

    def reset(_signum: int, _frame: FrameType | None) -> None:
        totals.clear()

    def write(_signum: int, _frame: FrameType | None) -> None:
        Path(str(out) + ".timers.json").write_text(json.dumps(totals, indent=1),
                                                   encoding="utf-8")

    signal.signal(signal.SIGUSR1, reset)
    signal.signal(signal.SIGUSR2, write)
    run(module)


def run(module: str) -> None:
    sys.argv = [module, *sys.argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
