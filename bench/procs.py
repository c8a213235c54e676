"""Starting the two bots of the whole-stack bench on free ports, timing start-up, reading RSS.

Ours: the launcher (`launcher.plan_stack` + `launcher.Stack`, only the action server and Rasa,
free ports, a state directory under var/bench/): exactly what `make run` starts in the local
profile. A bench variant or the profiler changes the plan's command lines, never the checkout.
Stock: `rasa run` and `rasa run actions` of the `rasa init` project, served the same way.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from launcher import Ports, Stack, StackConfig, StackPlan, plan_stack, without_stack_vars
from launcher.state import local_endpoints

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "var" / "bench"
BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"
FIXED_PORTS = {5005, 5055, 8000, 8100}
QUIET = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
         "TF_ENABLE_ONEDNN_OPTS": "0", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    health_url: str
    log: Path
    ready_seconds: float = 0.0

    def memory_mb(self) -> tuple[float, float]:
        """(VmRSS, VmHWM) in MB from /proc/<pid>/status: now and peak."""
        values = {}
        try:
            for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0]) / 1024
        except OSError:
            return float("nan"), float("nan")
        return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))


@dataclass
class Started:
    procs: list[Proc]
    url: str  # Rasa's base URL
    env: Mapping[str, str]  # the environment the processes got (RASA_API_TOKEN for ours)

    def proc(self, name: str) -> Proc:
        return next(p for p in self.procs if p.name == name)


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except OSError:
        return False


def spawn(name: str, argv: Sequence[str], env: Mapping[str, str], cwd: Path, health_url: str,
          log: Path, timeout: float = 240.0) -> Proc:
    """Start a process and wait until `health_url` answers; ready_seconds is that wait."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log.open("wb") as out:
        popen = subprocess.Popen(list(argv), cwd=cwd, env=dict(env),
                                 stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    proc = Proc(name, popen, health_url, log)
    deadline = started + timeout
    while not healthy(health_url):
        if popen.poll() is not None or time.perf_counter() > deadline:
            stop([proc])
            tail = log.read_text(errors="replace").splitlines()[-20:]
            raise RuntimeError(f"{name} did not start; last lines of {log}:\n" + "\n".join(tail))
        time.sleep(0.05)
    proc.ready_seconds = time.perf_counter() - started
    return proc


def stop(procs: Sequence[Proc]) -> None:
    for proc in procs:
        if proc.popen.poll() is None:
            proc.popen.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.popen.kill()
            proc.popen.wait()


def free_ports() -> Ports:
    while True:
        ports = Ports.free()
        if not FIXED_PORTS & {ports.dossiers, ports.actions, ports.rasa, ports.web}:
            return ports


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


VARIANTS = ("as-is", "wal", "no-event-broker")


def bench_plan(plan: StackPlan, wrap: Sequence[str], variant: str) -> StackPlan:
    """The launcher's plan with `wrap` (e.g. bench/profiled.py) before each command's module
    arguments, and a variant that measures a proposal without changing the checkout:
    `wal` creates the SQLite files (tracker store, event broker) in WAL journal mode before
    Rasa opens them (the mode is stored in the file; synchronous stays Rasa's default),
    `no-event-broker` gives Rasa an endpoints file without the event broker."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}")
    config = plan.config
    endpoints = local_endpoints(config)
    if variant == "wal":
        for section in endpoints.values():
            if isinstance(section, dict) and section.get("dialect") == "sqlite":
                connection = sqlite3.connect(str(section["db"]))
                connection.execute("PRAGMA journal_mode=WAL")
                connection.close()
    bench_endpoints = None
    if variant == "no-event-broker":
        endpoints.pop("event_broker", None)
        bench_endpoints = config.state_dir / "endpoints.bench.yml"
        bench_endpoints.write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
    services = []
    for service in plan.services:
        argv = [service.argv[0], *wrap, *service.argv[1:]]
        if bench_endpoints is not None and "--endpoints" in argv:
            argv[argv.index("--endpoints") + 1] = str(bench_endpoints)
        services.append(replace(service, argv=tuple(argv)))
    return replace(plan, services=tuple(services))


def start_ours(state_dir: Path, extra_env: Mapping[str, str] | None = None,
               wrap: Sequence[str] = (), variant: str = "as-is") -> Started:
    """Action server then Rasa of our local profile, started by the launcher."""
    config = StackConfig(state_dir=fresh_dir(state_dir), ports=free_ports(),
                         overrides={"RATE_LIMITS": "off", **(extra_env or {})})
    plan = bench_plan(plan_stack(config, without_stack_vars(os.environ)), wrap, variant)
    stack = Stack(plan, only=("actions", "rasa"))
    stack.start()
    procs = [Proc(running.service.group or running.service.name, running.process,
                  running.service.health_url, running.log_path,
                  running.ready_seconds if running.ready_seconds is not None else float("nan"))
             for running in stack.running]
    return Started(procs, stack.url("rasa"), plan.env_of(plan.service("rasa")))


def start_stock(project: Path, state_dir: Path) -> Started:
    """`rasa run actions` then `rasa run` of the stock project (in-memory tracker store, as
    `rasa init` writes it), on free ports."""
    state = fresh_dir(state_dir)
    ports = free_ports()
    endpoints = state / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://{LOOPBACK}:{ports.actions}/webhook"\n',
                         encoding="utf-8")
    env = {**without_stack_vars(os.environ), **QUIET, "SANIC_HOST": LOOPBACK}
    procs: list[Proc] = []
    try:
        procs.append(spawn("actions", [str(BIN / "rasa"), "run", "actions", "--actions",
                                       "actions", "--port", str(ports.actions)],
                           env, project, f"http://{LOOPBACK}:{ports.actions}/health",
                           state / "log" / "actions.log"))
        procs.append(spawn("rasa", [str(BIN / "rasa"), "run", "--model", "models/stock.tar.gz",
                                    "--enable-api", "--interface", LOOPBACK,
                                    "--port", str(ports.rasa), "--endpoints", str(endpoints),
                                    "--credentials", "credentials.yml"],
                           env, project, f"http://{LOOPBACK}:{ports.rasa}/",
                           state / "log" / "rasa.log"))
    except BaseException:
        stop(procs)
        raise
    return Started(procs, f"http://{LOOPBACK}:{ports.rasa}", env)
