"""Starting and stopping real (tiny) processes: a `python -c` HTTP server stands in for a
service, so readiness, log files, failures and stopping are exercised for real."""

from __future__ import annotations

import dataclasses
import socket
import sys
import time
from pathlib import Path

import pytest

from launcher import Ports, Service, ServiceStartError, Stack, StackConfig, StackPlan
from launcher.config import free_port

FAKE_SERVICE = """
import http.server, os, signal, sys
port = int(sys.argv[1])
if os.environ.get("FAKE_IGNORE_SIGTERM"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
print(f"fake service on {port}; LAUNCHER_TEST={os.environ.get('LAUNCHER_TEST')}", flush=True)
print("a line on stderr", file=sys.stderr, flush=True)
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""

FAILING_SERVICE = """
import sys
for n in range(60):
    print(f"starting step {n}")
print("fatal: the configuration is broken", file=sys.stderr)
sys.exit(3)
"""


def fake(name: str, port: int, code: str = FAKE_SERVICE) -> Service:
    return Service(name, f"fake {name}", (sys.executable, "-c", code, str(port)), port,
                   f"http://127.0.0.1:{port}/health", (("health", f"http://127.0.0.1:{port}/"),))


def plan_of(tmp_path: Path, *services: Service, **env: str) -> StackPlan:
    config = StackConfig(state_dir=tmp_path, ports=Ports.free(), startup_timeout=20,
                         stop_timeout=2)
    return StackPlan(config, {"LAUNCHER_TEST": "yes", "PATH": "/usr/bin:/bin", **env}, (),
                     services)


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_services_start_in_order_with_one_log_each_and_stop(tmp_path: Path) -> None:
    first, second = free_port(), free_port()
    plan = plan_of(tmp_path, fake("one", first), fake("two", second))
    with Stack(plan) as stack:
        assert stack.names == ("one", "two")
        assert listening(first) and listening(second)
        assert stack.url("two") == f"http://127.0.0.1:{second}"
        assert stack.exited() is None
        assert all(r.ready_seconds is not None and r.ready_seconds > 0 for r in stack.running)
        processes = [running.process for running in stack.running]
    assert all(process.poll() is not None for process in processes)
    assert not listening(first) and not listening(second)
    one = (tmp_path / "log" / "one.log").read_text("utf-8")
    assert f"fake service on {first}; LAUNCHER_TEST=yes" in one  # stdout, with our env
    assert "a line on stderr" in one
    assert f"on {second}" in (tmp_path / "log" / "two.log").read_text("utf-8")


def test_only_starts_the_chosen_services(tmp_path: Path) -> None:
    first, second = free_port(), free_port()
    with Stack(plan_of(tmp_path, fake("one", first), fake("two", second)), only=["two"]):
        assert listening(second) and not listening(first)
    assert not (tmp_path / "log" / "one.log").exists()


def test_unknown_service_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="nope"):
        Stack(plan_of(tmp_path, fake("one", free_port())), only=["nope"])


def test_a_failed_start_names_the_service_shows_its_log_tail_and_stops_the_rest(
        tmp_path: Path) -> None:
    good = free_port()
    stack = Stack(plan_of(tmp_path, fake("good", good), fake("broken", free_port(),
                                                             FAILING_SERVICE)))
    with pytest.raises(ServiceStartError) as error:
        stack.start()
    message = str(error.value)
    assert error.value.service == "broken"
    assert message.startswith("broken did not start: exited with 3")
    assert str(tmp_path / "log" / "broken.log") in message
    assert "fatal: the configuration is broken" in message
    assert "starting step 59" in message
    assert "starting step 0\n" not in message  # a tail, not the whole log
    assert not listening(good)
    assert stack.running == []


def test_a_service_that_never_gets_healthy_times_out(tmp_path: Path) -> None:
    silent = "import time, sys\nprint('waiting forever', flush=True)\ntime.sleep(60)"
    plan = plan_of(tmp_path, fake("silent", free_port(), silent))
    plan = StackPlan(StackConfig(state_dir=tmp_path, startup_timeout=1.5, stop_timeout=2),
                     plan.env, (), plan.services)
    started = time.monotonic()
    with pytest.raises(ServiceStartError, match=r"silent did not start: .*did not answer"
                                                r"(.|\n)*waiting forever"):
        Stack(plan).start()
    assert time.monotonic() - started < 10


def test_a_taken_port_is_reported_instead_of_talking_to_another_stack(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServiceStartError, match=f"port {port} is already in use"):
            Stack(plan_of(tmp_path, fake("one", port))).start()


def test_a_process_that_ignores_sigterm_is_killed(tmp_path: Path) -> None:
    port = free_port()
    stack = Stack(plan_of(tmp_path, fake("stubborn", port), FAKE_IGNORE_SIGTERM="1"))
    stack.start()
    process = stack.running[0].process
    started = time.monotonic()
    stack.stop()
    assert process.poll() is not None
    assert 1.5 < time.monotonic() - started < 10  # waited stop_timeout, then killed
    assert not listening(port)


def test_exited_names_a_service_that_died(tmp_path: Path) -> None:
    with Stack(plan_of(tmp_path, fake("one", free_port()))) as stack:
        stack.running[0].process.terminate()
        stack.running[0].process.wait(5)
        assert stack.exited() == "one"


def test_a_service_fails_only_when_its_last_replica_is_gone(tmp_path: Path) -> None:
    one, two, single = free_port(), free_port(), free_port()
    services = (fake("rasa-1", one), fake("rasa-2", two), fake("web", single))
    services = tuple(dataclasses.replace(s, group="rasa") if s.name != "web" else s
                     for s in services)
    with Stack(plan_of(tmp_path, *services)) as stack:
        assert Stack(stack.plan, only=["rasa"]).names == ("rasa-1", "rasa-2")
        first, second = stack.running[0].process, stack.running[1].process
        first.kill()
        first.wait(5)
        assert stack.exited() == "rasa-1"
        assert stack.failed() is None  # rasa-2 still serves
        second.kill()
        second.wait(5)
        assert stack.failed() == "rasa"
