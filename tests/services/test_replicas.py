"""The production profile as `PROFILE=production make run` starts it, through the launcher:
HAProxy on the public ports, two Rasa, two action server and two web app replicas and the
dossier service behind it, against this machine's PostgreSQL (a throw-away database),
Redis and RabbitMQ. A conversation over the proxy's REST port reaches both Rasa replicas;
one replica is killed (SIGKILL) and the conversation goes on through the other, with its
context kept in the shared tracker store; everything stops and frees its ports.

Skipped only outside CI when a server or the trained model is missing."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.contract import CONTRACT_KEYS
from launcher import ROOT, Stack, StackPlan, plan_isolated
from launcher.proxy import find_haproxy, server_states
from tests.conftest import require_service

MODEL = ROOT / "models" / "ondernemersloket.tar.gz"
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
POSTGRES_ADMIN = f"{POSTGRES_SERVER}/postgres"
SERVERS = {
    "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432", "POSTGRES_USER": "postgres",
    "POSTGRES_PASSWORD": "",
    "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379",
    "RABBITMQ_HOST": "127.0.0.1", "RABBITMQ_PORT": "5672",
    "RABBITMQ_USER": "guest", "RABBITMQ_PASSWORD": "guest",
}
QUIET = {
    "ACTION_TIMEOUT_SECONDS": "6",
    "INSIGHTS": "off",  # never take other tests' messages from the shared insights queue
    "PURGE_INTERVAL_SECONDS": "off",
    "LOG_LEVEL_LIBRARIES": "INFO",  # Sanic's access log: each replica logs what it served
}


def required(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (required in CI)")
    pytest.skip(reason)


def _admin(sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(POSTGRES_ADMIN)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


@pytest.fixture(scope="module")
def tracker_db() -> Iterator[str]:
    """A PostgreSQL database of its own for the tracker store, dropped afterwards."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    name = "olk_replicas_" + secrets.token_hex(4)
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def plan(tracker_db: str, tmp_path_factory: pytest.TempPathFactory) -> StackPlan:
    require_service("Redis", "127.0.0.1", 6379)
    require_service("RabbitMQ", "127.0.0.1", 5672)
    if not MODEL.exists():
        required("no trained model (make train)")
    if not os.access(find_haproxy(os.environ), os.X_OK):
        required("haproxy missing (scripts/install_haproxy.sh)")
    return plan_isolated(tmp_path_factory.mktemp("replicas"), model=MODEL, profile="production",
                         overrides={**SERVERS, "POSTGRES_DB": tracker_db, **QUIET,
                                    # outright: the launcher derives them from the caller's
                                    # POSTGRES_*, not from these overrides
                                    "HANDOFF_DB_URL": f"{POSTGRES_SERVER}/{tracker_db}",
                                    "DOSSIER_OUTBOX_URL": f"{POSTGRES_SERVER}/{tracker_db}"})


@pytest.fixture(scope="module")
def stack(plan: StackPlan) -> Iterator[Stack]:
    with Stack(plan) as running:
        print(f"\nproduction profile up in {running.started_seconds:.1f} s: "
              + ", ".join(f"{r.service.name} {r.ready_seconds:.1f} s" for r in running.running))
        yield running


def say(stack: Stack, sender: str, text: str, turn_id: str | None = None
        ) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    headers = {"Content-Type": "application/json", **({"X-Turn-Id": turn_id} if turn_id else {})}
    request = urllib.request.Request(stack.url("rasa") + "/webhooks/rest/webhook", data=body,
                                     headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        replies: list[dict[str, Any]] = json.loads(response.read())
    assert replies, f"no reply to {text!r}"
    for reply in replies:
        assert isinstance(reply.get("custom"), dict), reply
        assert set(reply["custom"]) <= set(CONTRACT_KEYS), reply["custom"]
    joined = " ".join(reply.get("text", "") for reply in replies)
    assert joined.strip(), replies
    assert "Sorry" not in joined, joined  # the apology of a failed action or channel
    return replies


def served(log: Path) -> int:
    """REST messages a Rasa replica answered (Sanic's access log lines)."""
    return sum("/webhooks/rest/webhook" in line and " 200 " in line
               for line in log.read_text("utf-8", "replace").splitlines())


def status_url(stack: Stack) -> str:
    return stack.url("proxy") + "/stats"


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_two_replicas_of_rasa_and_actions_are_routed_behind_the_proxy(stack: Stack) -> None:
    names = [r.service.name for r in stack.running]
    assert names == ["proxy", "dossiers", "actions-1", "actions-2", "rasa-1", "rasa-2",
                     "web-1", "web-2"]
    states = server_states(status_url(stack))
    for backend, server in [("dossiers", "dossiers"), ("actions", "actions-1"),
                            ("actions", "actions-2"), ("rasa", "rasa-1"), ("rasa", "rasa-2"),
                            ("web", "web-1"), ("web", "web-2")]:
        assert states[(backend, server)] == "UP", states
    outboxes = {stack.plan.env_of(r.service)["DOSSIER_OUTBOX_PATH"] for r in stack.running
                if r.service.service == "actions"}
    assert len(outboxes) == 2  # a file per replica
    with urllib.request.urlopen(stack.url("web") + "/health", timeout=10) as reply:
        assert reply.status == 200  # the web app through the proxy


def test_a_conversation_goes_on_when_a_rasa_replica_is_killed(stack: Stack) -> None:
    config = stack.plan.config
    sender = "replicas-" + secrets.token_hex(6)
    greeting = say(stack, sender, "hallo")
    assert greeting[0]["text"].startswith("Dag"), greeting
    question = say(stack, sender, "ik wil een evenement organiseren op straat, wat moet ik doen?")
    assert question[-1]["custom"]["topic"] == "evenementenvergunning"
    for n in range(4):  # round robin: every replica gets some
        say(stack, f"{sender}-{n}", "Mag ik een terras zetten voor mijn café in Aalst?")
    before = {name: served(config.log_path(name)) for name in ("rasa-1", "rasa-2")}
    print(f"\nREST messages served before the kill: {before}")
    assert all(count > 0 for count in before.values()), before
    proxy_log = config.log_path("proxy").read_text("utf-8", "replace")
    assert "rasa/rasa-1" in proxy_log and "rasa/rasa-2" in proxy_log

    victim = next(r for r in stack.running if r.service.name == "rasa-1")
    victim.process.send_signal(signal.SIGKILL)
    victim.process.wait(10)
    killed_at = time.monotonic()
    # At once, before any health check noticed: the proxy retries on the other replica, and
    # the second turn still knows the topic (shared PostgreSQL tracker store).
    answer = say(stack, sender, "Sint-Niklaas")
    contract = answer[-1]["custom"]
    assert contract["topic"] == "evenementenvergunning", contract
    assert contract["municipality"] == "Sint-Niklaas" and contract["counter"], contract
    replies_after = 1
    while server_states(status_url(stack))[("rasa", "rasa-1")].startswith("UP"):
        assert time.monotonic() - killed_at < 15, "the proxy did not take rasa-1 out"
        say(stack, sender, "Mag ik een terras zetten voor mijn café in Aalst?")
        replies_after += 1
    taken_out = time.monotonic() - killed_at
    for _ in range(4):
        say(stack, sender, "hallo")
        replies_after += 1
    after = served(config.log_path("rasa-2")) - before["rasa-2"]
    print(f"rasa-1 taken out after {taken_out:.1f} s; {replies_after} replies after the kill, "
          f"all from rasa-2 ({after} served), no error reply")
    assert after == replies_after
    assert stack.failed() is None  # Rasa still runs (one replica): make run would go on


# What an owner types for a terrace application (a title in a tuple: the button so named).
TERRACE = ["kan ik een terrasvergunning aanvragen in Gent", ("Aanvraag starten",), "Café De Hoek",
           "Korenmarkt 1, 9000 Gent", "van 1 mei tot 30 september 2027", "20 m2", "liever niet",
           "Jan Peeters", "0202.239.951", "jan.peeters@voorbeeld.be", "0470 12 34 56",
           ("Ja, indienen",)]


def test_a_dossier_and_a_call_back_leave_no_sqlite_file(stack: Stack) -> None:
    """Production keeps every piece of state on the servers: after an application and a
    call-back request through the proxy, the state directory holds no SQLite file."""
    sender = "replicas-file-" + secrets.token_hex(4)
    replies: list[dict[str, Any]] = []
    for step in TERRACE:
        if isinstance(step, tuple):
            offered = {b["title"]: b["payload"] for m in replies for b in m.get("buttons") or []}
            assert step[0] in offered, replies
            replies = say(stack, sender, offered[step[0]])
        else:
            replies = say(stack, sender, step)
    dossier = next(m["custom"]["dossier"] for m in replies if m["custom"].get("dossier"))
    assert dossier["reference"]
    caller = "replicas-call-" + secrets.token_hex(4)
    say(stack, caller, "kan iemand mij terugbellen")
    handoff = say(stack, caller, "Aalst")[-1]["custom"]["handoff"]
    assert handoff["reference"]
    say(stack, caller, "0470 12 34 56")
    state = stack.plan.config.state_dir
    files = sorted(str(p.relative_to(state)) for p in state.rglob("*")
                   if p.is_file() and (".sqlite" in p.name or p.suffix == ".db"))
    assert files == [], f"state on disk in the production profile: {files}"


def stored_owner_messages(tracker_db: str, sender: str) -> list[tuple[str, str]]:
    """(text, message id) of the owner messages the shared tracker store holds."""
    import psycopg2

    connection = psycopg2.connect(f"{POSTGRES_SERVER}/{tracker_db}")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' "
                           "ORDER BY id", (sender,))
            rows = [json.loads(data) for (data,) in cursor.fetchall()]
    finally:
        connection.close()
    return [(row["text"], row.get("message_id") or "") for row in rows]


def test_every_message_gets_a_turn_id_and_a_resent_one_is_answered_once(
        stack: Stack, tracker_db: str) -> None:
    """HAProxy gives each message a turn id (a message it resends after a replica died keeps
    it); a message sent again with its id gets the stored answer and is stored once."""
    sender = "replicas-turn-" + secrets.token_hex(4)
    say(stack, sender, "hallo")
    (text, proxy_id), = stored_owner_messages(tracker_db, sender)
    assert text == "hallo" and len(proxy_id) == 36 and proxy_id.count("-") == 4, proxy_id
    client_id = "client-" + secrets.token_hex(8)
    first = say(stack, sender, "Mag ik een terras zetten voor mijn café in Aalst?", client_id)
    again = say(stack, sender, "Mag ik een terras zetten voor mijn café in Aalst?", client_id)
    assert [m.get("text") for m in again] == [m.get("text") for m in first]
    assert again[-1]["custom"]["topic"] == "terrasvergunning"
    assert stored_owner_messages(tracker_db, sender) == [
        ("hallo", proxy_id), ("Mag ik een terras zetten voor mijn café in Aalst?", client_id)]


def test_the_stack_stops_and_frees_every_port(plan: StackPlan, stack: Stack) -> None:
    ports = {plan.config.ports.of(name) for name in ("dossiers", "actions", "rasa", "web")}
    ports |= {service.port for service in plan.services}
    stack.stop()
    time.sleep(0.5)
    assert not [port for port in sorted(ports) if listening(port)], "a port stayed taken"
