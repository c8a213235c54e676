"""The faults `make faulttest` injects into the production profile while Locust drives it,
and what each cost: the messages answered in the window after it, and how many of them got
no Dutch reply (an apology counts as a reply; silence, an empty reply or a 5xx does not)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, text

from bench.loadtest.fault_proxy import FaultProxy
from bench.loadtest.profiles import RunningProfile, admin_url

NO_REPLY = ("HTTP", "connection", "no JSON", "empty reply", "reply without contract")


@dataclass
class FaultContext:
    profile: RunningProfile
    proxy: FaultProxy
    servers: Mapping[str, str]


@dataclass(frozen=True)
class Fault:
    name: str
    at: float  # seconds after the load started
    inject: Callable[[FaultContext], str]  # returns what was done, for the table
    window: float = 30.0  # failures this long after `at` are counted against it


def kill(process_name: str) -> Callable[[FaultContext], str]:
    def inject(context: FaultContext) -> str:
        for running in context.profile.stack.running:
            if running.service.name == process_name and not running.exited():
                os.kill(running.process.pid, signal.SIGKILL)
                return f"SIGKILL to {process_name} (pid {running.process.pid})"
        return f"{process_name} was not running"
    return inject


def terminate_postgres(context: FaultContext) -> str:
    engine = create_engine(admin_url(context.servers), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            killed = conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"),
                {"name": context.profile.database}).scalar()
    finally:
        engine.dispose()
    return f"pg_terminate_backend on {killed} connections"


def server_down(name: str, seconds: float) -> Callable[[FaultContext], str]:
    def inject(context: FaultContext) -> str:
        context.proxy.down(name)
        time.sleep(seconds)
        context.proxy.up(name)
        return f"{name} unreachable for {seconds:.0f} s"
    return inject


def schedule(short: bool) -> list[Fault]:
    """The issue's five faults; `short` (CI) packs them closer."""
    gap = 20.0 if short else 40.0
    return [
        Fault("kill a Rasa replica", gap, kill("rasa-1")),
        Fault("kill an action server replica", 2 * gap, kill("actions-1")),
        Fault("terminate PostgreSQL connections", 3 * gap, terminate_postgres),
        Fault("RabbitMQ down for 30 s", 4 * gap, server_down("rabbitmq", 30.0), window=45.0),
        Fault("Redis restart", 4 * gap + 45.0, server_down("redis", 2.0)),
    ]


def run_faults(faults: Sequence[Fault], context: FaultContext, started: float,
               still_running: Callable[[], bool],
               progress: Callable[[], str] = lambda: "") -> list[dict[str, Any]]:
    """Inject each fault at its time (while the load runs); returns what was done when.
    `progress` describes the state just before each fault (e.g. events consumed so far)."""
    done: list[dict[str, Any]] = []
    for fault in faults:
        while time.time() < started + fault.at:
            if not still_running():
                return done
            time.sleep(0.2)
        before = progress()
        at = time.time()
        detail = fault.inject(context)
        done.append({"name": fault.name, "at": at, "window": fault.window, "detail": detail,
                     "before": before})
        print(f"  {at - started:6.1f} s  {fault.name}: {detail} ({before})", flush=True)
    return done


def cost(injected: Sequence[Mapping[str, Any]], timeline: Sequence[Sequence[Any]]
         ) -> list[dict[str, Any]]:
    """Per fault: messages answered in its window, how many got no reply, how many an apology."""
    rows = []
    for fault in injected:
        start, end = fault["at"], fault["at"] + fault["window"]
        inside = [reason for at, reason in timeline if start <= at < end]
        rows.append({**fault, "messages": len(inside),
                     "no_reply": sum(1 for r in inside if r.startswith(NO_REPLY)),
                     "apologies": sum(1 for r in inside if r == "apology")})
    return rows
