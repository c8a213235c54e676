"""Run a module (`-m connectors.rasa_entry run ...`, `-m rasa_sdk ...`) with a pyinstrument
sampler that is off until SIGUSR1 and written out on SIGUSR2, so a profile holds the turns of a
running server and not its start-up.

Usage: python bench/profiled.py -m MODULE ARGS...   (output: $PROFILE_DIR/MODULE.txt, .pyisession)
The sampler watches the main thread (Sanic's event loop) by wall clock: time spent waiting on
the action server or the database shows up where the loop waits, TensorFlow's C++ work inside
the Python call that started it.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
from pathlib import Path
from types import FrameType

from pyinstrument import Profiler

INTERVAL_SECONDS = 0.0005


def main() -> None:
    if len(sys.argv) < 3 or sys.argv[1] != "-m":
        raise SystemExit("usage: profiled.py -m MODULE ARGS...")
    module = sys.argv[2]
    out = Path(os.environ.get("PROFILE_DIR") or ".") / module
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
    sys.path[0] = os.getcwd()  # as `python -m` would have it, not bench/
    sys.argv = [module, *sys.argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
