"""Rasa's and the action server's logs (var/log/*.log) never show the e-mail addresses, phone
numbers, rijksregisternummers, IBANs or enterprise numbers owners type, and are readable by
their owner only. The processes are started the way the launcher starts them (their entry
points, output into a log file by `launcher.process.spawn`), with the libraries' own logging
set-up at DEBUG, the level that logs the most."""

from __future__ import annotations

import json
import os
import stat
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.log_privacy import MaskedLogRecord
from launcher import ROOT, Ports, StackConfig, plan_stack
from launcher.process import spawn, stop_all, wait_ready
from launcher.services import Service
from tests.bot.dossier_fixtures import enterprise_number, free_port

TYPED = {  # what owners type, and the placeholder each must become
    "Lotte.Verbeke@Example.be": "[email]",
    "0470 12 34 56": "[phone]",
    "85.07.30-033.28": "[national_number]",
    "BE68 5390 0754 7034": "[iban]",
    enterprise_number(4031707): "[enterprise_number]",
}
TEXT = "mail " + " en ".join(TYPED)  # one message with all of them

# What Rasa's CLI does before it serves (rasa/__main__.py: configure_logging_and_warnings,
# configure_structlog; rasa.server.create_app makes Sanic set up its own handlers), then log
# lines the way Rasa does: the processor's slot dump (structlog, real code), a user message at
# DEBUG, an access-log line (fields as `extra`), and a traceback whose error holds the text.
RASA_PROBE = """
import logging, sys
import rasa.__main__ as rasa_cli

TEXT = sys.argv[1]

def rasa_main():
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog
    configure_logging_and_warnings(logging.DEBUG)
    configure_structlog(logging.DEBUG)
    import rasa.server
    rasa.server.create_app()
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.slots import TextSlot
    from rasa.shared.core.trackers import DialogueStateTracker
    tracker = DialogueStateTracker("probe", [TextSlot("dossier_email", mappings=[{}])])
    tracker.slots["dossier_email"].value = TEXT
    MessageProcessor._log_slots(tracker)
    logging.getLogger("rasa.core.processor").debug("Received user message '%s'", TEXT)
    logging.getLogger("sanic.access").info("", extra={
        "status": 200, "byte": 2, "host": "127.0.0.1:1",
        "request": "GET /conversations/probe/tracker?token=geheim&q=" + TEXT})
    try:
        raise ValueError(TEXT)
    except ValueError:
        logging.getLogger("rasa.core.channels").exception("channel failed")
    print("probe done", flush=True)

rasa_cli.main = rasa_main
sys.argv = ["rasa", "run"]
from connectors.rasa_entry import main
main()
"""


def probe_service(name: str, argv: tuple[str, ...]) -> Service:
    return Service(name=name, description="probe", argv=argv, port=0, health_url="", urls=())


def run_logged(service: Service, log: Path, env: dict[str, str]) -> str:
    running = spawn(service, env, ROOT, log)
    assert running.process.wait(timeout=120) == 0, log.read_text()
    return log.read_text(encoding="utf-8")


def assert_masked(logged: str) -> None:
    for typed, placeholder in TYPED.items():
        assert typed not in logged
        assert placeholder in logged
    assert "lotte" not in logged.lower() and "geheim" not in logged


def assert_owner_only(log: Path) -> None:
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_rasa_logs_show_placeholders_not_what_owners_typed(tmp_path: Path) -> None:
    log = tmp_path / "var" / "log" / "rasa.log"
    log.parent.mkdir(parents=True)
    log.write_text("from an earlier run\n")
    os.chmod(log, 0o644)  # a log left world-readable by an older version
    env = {**os.environ, "LOG_LEVEL": "DEBUG"}
    logged = run_logged(probe_service("rasa", (sys.executable, "-c", RASA_PROBE, TEXT)),
                        log, env)
    assert "probe done" in logged and "processor.slots.log" in logged
    assert "channel failed" in logged and "ValueError" in logged  # the traceback is there
    assert "/conversations/probe/tracker?token=[secret]" in logged  # Sanic's access format
    assert_masked(logged)
    assert_owner_only(log)


@pytest.fixture
def action_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    config = StackConfig(state_dir=tmp_path / "var", ports=Ports(actions=port))
    plan = plan_stack(config, {**os.environ, "LOG_LEVEL": "DEBUG"})
    [service] = [s for s in plan.services if s.name == "actions"]
    log = tmp_path / "var" / "log" / "actions.log"
    running = spawn(service, plan.env_of(service), ROOT, log)
    try:
        wait_ready(running, timeout=120)
        yield f"http://127.0.0.1:{port}", log
    finally:
        stop_all([running.process], timeout=15)


def test_the_action_server_logs_show_placeholders_not_what_owners_typed(
        action_server: tuple[str, Path]) -> None:
    url, log = action_server
    # An action call whose name carries the text: rasa_sdk logs the name at DEBUG and again
    # as an error (no such action), through its own logging set-up.
    call = {"next_action": f"action_{TEXT}", "sender_id": "probe", "version": "3.6.21",
            "tracker": {"sender_id": "probe", "slots": {}, "latest_message": {"text": TEXT},
                        "events": [], "paused": False, "followup_action": None,
                        "active_loop": {}, "latest_action_name": "action_listen"},
            "domain": {}}
    request = urllib.request.Request(f"{url}/webhook", data=json.dumps(call).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:
        assert error.code == 404
    logged = log.read_text(encoding="utf-8")
    assert "No registered action found for name 'action_mail [email] en [phone]" in logged
    assert_masked(logged)
    assert_owner_only(log)


def test_the_action_server_traceback_is_masked_too(tmp_path: Path) -> None:
    probe = """
import logging, os
import rasa_sdk.__main__ as sdk

def serve(*args, **kwargs):  # instead of serving: what a failing action logs
    try:
        raise ValueError(os.environ["PROBE_TEXT"])
    except ValueError:
        logging.getLogger("actions.base").error("action %s failed: %s", "probe", "ValueError",
                                                exc_info=True)
    print("probe done", flush=True)

sdk.run = serve
from connectors.actions_entry import main
main()
"""
    log = tmp_path / "actions.log"
    argv = (sys.executable, "-c", probe, "--actions", "actions", "--debug")
    logged = run_logged(probe_service("actions", argv), log, {**os.environ, "PROBE_TEXT": TEXT})
    assert "probe done" in logged and "action probe failed" in logged and "ValueError" in logged
    assert_masked(logged)
    assert_owner_only(log)


def test_a_record_is_masked_once_whoever_formats_it() -> None:
    record = MaskedLogRecord("x", 20, __file__, 1, "typed %s", (TEXT,), None)
    record.__dict__["request"] = f"GET /?q={TEXT}"
    first, second = record.getMessage(), record.getMessage()
    assert first == second and "[email]" in first and "[email]" in record.__dict__["request"]
