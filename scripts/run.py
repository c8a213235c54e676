"""`make run`: start the dossier service (8100), the action server (5055), Rasa (5005) and the
web app (8000) with the launcher, print a short summary, stop everything on Ctrl-C.

`PROFILE=production`: HAProxy on those ports, `RASA_REPLICAS` Rasa, `ACTION_REPLICAS` action
server and `WEB_REPLICAS` web app replicas (default 2 each) and the dossier service behind it.

Each process writes to its own log file in `var/log/`. When a service is gone (its one
process, or every replica of it, or HAProxy), everything is stopped (a supervisor restarts
the whole unit); a single dead replica is only reported, the proxy takes it out. `--state-dir`
puts databases and logs elsewhere (tests use a temporary directory).

`kill -HUP <pid of make run>` (production profile): a rolling restart of every service that
runs at least two replicas, one replica at a time (HAProxy sends it nothing new, it finishes
what it has, starts again and is taken back before the next one).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from channel_credentials import compose_credentials  # noqa: E402 - scripts/ is on sys.path

from launcher import ServiceStartError, Stack, make_run_config, plan_stack  # noqa: E402
from launcher.process import log_tail  # noqa: E402
from launcher.summary import shown_path, startup_summary  # noqa: E402


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class RestartRequest:
    """Set by SIGHUP, handled by the main loop (not inside the signal handler)."""

    def __init__(self) -> None:
        self.pending = False

    def __call__(self, _signum: int, _frame: FrameType | None) -> None:
        self.pending = True


def rolling_restart(stack: Stack) -> None:
    print("rolling restart ...", flush=True)
    started = time.monotonic()
    names = stack.rolling_restart(lambda name: print(f"  {name} restarted", flush=True))
    print(f"rolling restart of {len(names)} replicas done in "
          f"{time.monotonic() - started:.0f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/run.py")
    parser.add_argument("--state-dir", type=Path, default=None,
                        help="databases, outbox and logs (default: var/)")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    try:
        config = make_run_config(os.environ, args.state_dir)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    credentials, channels = compose_credentials(ROOT, os.environ,
                                                config.state_dir / "credentials.run.yml")
    config = dataclasses.replace(config, credentials=credentials)
    plan = plan_stack(config, os.environ)
    stack = Stack(plan)
    signal.signal(signal.SIGTERM, _interrupt)
    restart = RestartRequest()
    signal.signal(signal.SIGHUP, restart)
    descriptions = dict.fromkeys(plan.service(n).description for n in stack.names)
    print(f"starting {', '.join(descriptions)} "
          f"(logs in {shown_path(config.log_dir, ROOT)}) ...", flush=True)
    try:
        try:
            stack.start()
        except ServiceStartError as exc:
            print(exc, file=sys.stderr, flush=True)
            return 1
        took = stack.started_seconds if config.proxied else None
        print(startup_summary(plan, stack.names, channels, took), flush=True)
        reported: set[str] = set()
        while True:
            if restart.pending and config.proxied:
                restart.pending = False
                rolling_restart(stack)
            for running in stack.running:
                name = running.service.name
                if name not in reported and running.exited():
                    reported.add(name)
                    left = sum(not r.exited() for r in stack.running
                               if r.service.service == running.service.service)
                    if left:
                        print(f"{name} exited ({left} left behind the proxy, which takes it "
                              f"out); see {config.log_path(name)}", file=sys.stderr, flush=True)
            name = stack.failed()
            if name is not None:
                last = [r.service.name for r in stack.running if r.service.service == name][-1]
                log = config.log_path(last)
                print(f"{name} exited; stopping everything. Last lines of {log}:\n"
                      f"{log_tail(log)}", file=sys.stderr, flush=True)
                return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
