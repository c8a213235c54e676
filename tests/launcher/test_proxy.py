"""The production profile's plan: HAProxy first on the public ports, the replicas behind it on
internal ports, and the HAProxy configuration rendered from deploy/haproxy/ (every replica
listed with its health check). Nothing is started here."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher import SERVICE_NAMES, Ports, Stack, StackConfig, make_run_config, plan_stack
from launcher.proxy import TEMPLATE, not_up, server_states
from launcher.state import prepare_state

FIXED_PORTS = {5005, 5055, 8000, 8100}
PUBLIC = Ports(dossiers=1111, actions=2222, rasa=3333, web=4444)
PINNED = {"proxy": 6000, "dossiers": 6001, "actions-1": 6002, "actions-2": 6003,
          "rasa-1": 6004, "rasa-2": 6005, "web-1": 6006, "web-2": 6007}


def production(tmp_path: Path, **config: object) -> StackConfig:
    fields: dict[str, object] = {"state_dir": tmp_path, "profile": "production",
                                 "ports": PUBLIC, "internal_ports": PINNED, **config}
    return StackConfig(**fields)  # type: ignore[arg-type]


def rendered(tmp_path: Path, **config: object) -> str:
    plan = plan_stack(production(tmp_path, **config), {})
    ((path, text),) = plan.files
    assert path == tmp_path.resolve() / "haproxy.cfg"
    return text


def section(text: str, kind: str, name: str) -> str:
    """The lines of one `frontend`/`backend` section."""
    match = re.search(rf"^{kind} {name}\n(.*?)(?=^\S|\Z)", text, re.S | re.M)
    assert match, f"{kind} {name} missing"
    return match.group(1)


def test_production_starts_the_proxy_then_every_replica(tmp_path: Path) -> None:
    plan = plan_stack(production(tmp_path), {})
    assert [s.name for s in plan.services] == [
        "proxy", "dossiers", "actions-1", "actions-2", "rasa-1", "rasa-2", "web-1", "web-2"]
    assert [s.service for s in plan.services] == [
        "proxy", "dossiers", "actions", "actions", "rasa", "rasa", "web", "web"]
    proxy = plan.service("proxy")
    assert proxy.argv[1:] == ("-db", "-f", str(tmp_path.resolve() / "haproxy.cfg"))
    assert proxy.health_url == "http://127.0.0.1:6000/health"
    assert set(proxy.binds) == {1111, 2222, 3333, 4444}  # the public ports are the proxy's
    for service in plan.services[1:]:
        assert service.port == PINNED[service.name]
        assert service.health_url.startswith(f"http://127.0.0.1:{service.port}/")
    assert plan.service("rasa-2").health_url == "http://127.0.0.1:6005/"
    rasa = plan.service("rasa-2").argv
    assert rasa[rasa.index("--port") + 1] == "6005"
    assert rasa[rasa.index("--interface") + 1] == "127.0.0.1"
    assert plan.service("actions-1").argv[-2:] == ("--port", "6002")
    web = plan.service("web-2").argv
    assert web[web.index("--host") + 1:] == ("127.0.0.1", "--port", "6007")


def test_the_services_reach_each_other_through_the_proxy(tmp_path: Path) -> None:
    env = plan_stack(production(tmp_path), {}).env
    assert env["ACTION_SERVER_URL"] == "http://127.0.0.1:2222/webhook"
    assert env["RASA_URL"] == "http://127.0.0.1:3333"
    assert env["DOSSIER_SERVICE_URL"] == "http://127.0.0.1:1111"
    assert env["HANDOFF_SERVICE_URL"] == "http://127.0.0.1:4444"


def test_each_action_server_replica_has_its_own_outbox_file(tmp_path: Path) -> None:
    plan = plan_stack(production(tmp_path), {})
    state = tmp_path.resolve()
    assert [plan.env_of(s)["DOSSIER_OUTBOX_PATH"] for s in plan.members("actions")] == [
        f"{state}/dossier_outbox.actions-1.sqlite3", f"{state}/dossier_outbox.actions-2.sqlite3"]
    given = plan_stack(production(tmp_path), {"DOSSIER_OUTBOX_PATH": "/srv/olk/outbox.sqlite3"})
    assert [given.env_of(s)["DOSSIER_OUTBOX_PATH"] for s in given.members("actions")] == [
        "/srv/olk/outbox.actions-1.sqlite3", "/srv/olk/outbox.actions-2.sqlite3"]
    assert "DOSSIER_OUTBOX_PATH" not in dict(given.service("rasa-1").env)


def test_replica_counts_come_from_the_environment() -> None:
    config = make_run_config({"PROFILE": "production", "RASA_REPLICAS": "3",
                              "ACTION_REPLICAS": "1", "WEB_REPLICAS": "3"})
    plan = plan_stack(config, {})
    assert [s.name for s in plan.members("rasa")] == ["rasa-1", "rasa-2", "rasa-3"]
    assert [s.name for s in plan.members("actions")] == ["actions-1"]
    assert [s.name for s in plan.members("web")] == ["web-1", "web-2", "web-3"]
    assert [s.name for s in plan.members("dossiers")] == ["dossiers"]
    default = plan_stack(make_run_config({"PROFILE": "production"}), {})
    assert len(default.members("rasa")) == len(default.members("actions")) == \
        len(default.members("web")) == 2


@pytest.mark.parametrize(("env", "message"), [
    ({"RASA_REPLICAS": "two"}, "RASA_REPLICAS must be a whole number"),
    ({"ACTION_REPLICAS": "0"}, "ACTION_REPLICAS must be at least 1"),
    ({"WEB_REPLICAS": "0"}, "WEB_REPLICAS must be at least 1")])
def test_bad_replica_counts_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_run_config({"PROFILE": "production", **env})


def test_the_local_profile_stays_one_of_each_without_a_proxy(tmp_path: Path) -> None:
    config = make_run_config({"RASA_REPLICAS": "3", "ACTION_REPLICAS": "3",
                              "WEB_REPLICAS": "3"})
    plan = plan_stack(config, {})
    assert [s.name for s in plan.services] == list(SERVICE_NAMES)
    assert plan.files == ()
    assert all(s.env == () and s.binds == () and s.group == "" for s in plan.services)
    assert [s.port for s in plan.services] == [8100, 5055, 5005, 8000]


def test_internal_ports_are_free_and_never_public_or_documented(tmp_path: Path) -> None:
    config = StackConfig(state_dir=tmp_path, profile="production", ports=Ports.free())
    plan = plan_stack(config, {})
    internal = [s.port for s in plan.services]
    assert len(set(internal)) == len(internal) == 8
    assert not set(internal) & (FIXED_PORTS | {config.ports.of(n) for n in SERVICE_NAMES})


def test_every_replica_is_listed_with_its_health_check(tmp_path: Path) -> None:
    text = rendered(tmp_path, rasa_replicas=2, action_replicas=2)
    expected = {"dossiers": ("/health", ["dossiers"]), "actions": ("/health", ["actions-1",
                                                                              "actions-2"]),
                "rasa": ("/", ["rasa-1", "rasa-2"]), "web": ("/health", ["web-1", "web-2"])}
    for backend, (health, servers) in expected.items():
        body = section(text, "backend", backend)
        assert f"option httpchk GET {health}\n" in body
        assert "http-check expect status 200" in body
        lines = [line.split() for line in body.splitlines() if line.strip().startswith("server")]
        assert [line[1] for line in lines] == servers
        for line in lines:
            assert line[2] == f"127.0.0.1:{PINNED[line[1]]}"
            assert "check" in line[3:]
    assert re.search(r"default-server inter 2s .*fall 2 rise 2", text)


def test_a_third_rasa_replica_is_listed_too(tmp_path: Path) -> None:
    pinned = {**PINNED, "rasa-3": 6007}
    text = rendered(tmp_path, rasa_replicas=3, internal_ports=pinned)
    assert "server rasa-3 127.0.0.1:6007 check" in section(text, "backend", "rasa")
    assert "server rasa-3 127.0.0.1:6007 track rasa/rasa-3" in section(
        text, "backend", "rasa_socketio")


def test_socket_io_is_sticky_and_follows_the_checked_servers(tmp_path: Path) -> None:
    text = rendered(tmp_path)
    frontend = section(text, "frontend", "rasa")
    assert "acl socketio path_beg /socket.io" in frontend
    assert "use_backend rasa_socketio if socketio" in frontend
    body = section(text, "backend", "rasa_socketio")
    assert "cookie OLK_RASA insert indirect nocache" in body
    for name in ("rasa-1", "rasa-2"):
        assert f"server {name} 127.0.0.1:{PINNED[name]} track rasa/{name} cookie {name}" in body
    assert "timeout tunnel" in text  # WebSockets stay open


def test_the_public_ports_are_bound_by_the_frontends(tmp_path: Path) -> None:
    text = rendered(tmp_path, web_host="0.0.0.0")
    assert "bind 127.0.0.1:1111" in section(text, "frontend", "dossiers")
    assert "bind 127.0.0.1:2222" in section(text, "frontend", "actions")
    assert "bind 127.0.0.1:3333" in section(text, "frontend", "rasa")
    assert "bind 0.0.0.0:4444" in section(text, "frontend", "web")  # WEB_HOST
    assert "http-request del-header X-Forwarded-For" in section(text, "frontend", "web")
    assert "option forwardfor" in text  # the client's address, never one it sent itself
    status = section(text, "frontend", "proxy_status")
    assert "bind 127.0.0.1:6000" in status and "monitor-uri /health" in status


def test_a_dead_replica_is_retried_elsewhere_and_never_daemonised(tmp_path: Path) -> None:
    text = rendered(tmp_path)
    assert "option redispatch" in text and re.search(r"^\s+retries \d", text, re.M)
    assert "log stdout" in text
    settings = [line.split()[0] for line in text.splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    for keyword in ("daemon", "chroot", "user", "group", "pidfile"):
        assert keyword not in settings


def test_no_placeholder_is_left_and_the_template_lives_in_the_repo(tmp_path: Path) -> None:
    assert "${" not in rendered(tmp_path)
    assert (StackConfig(state_dir=tmp_path).root / TEMPLATE).is_file()


def test_the_configuration_is_written_on_start(tmp_path: Path) -> None:
    plan = plan_stack(production(tmp_path / "state"), {})
    assert not (tmp_path / "state").exists()  # planning writes nothing
    prepare_state(plan.config, plan.files)
    assert (tmp_path / "state" / "haproxy.cfg").read_text("utf-8") == plan.files[0][1]


def test_only_brings_the_proxy_along_and_url_is_the_public_one(tmp_path: Path) -> None:
    plan = plan_stack(production(tmp_path), {})
    stack = Stack(plan, only=["rasa"])
    assert stack.names == ("proxy", "rasa-1", "rasa-2")
    assert Stack(plan, only=["rasa-2"]).names == ("proxy", "rasa-2")
    assert stack.url("rasa") == "http://127.0.0.1:3333"
    assert stack.url("rasa-2") == "http://127.0.0.1:6005"
    assert stack.url("proxy") == "http://127.0.0.1:6000"
    with pytest.raises(KeyError, match="nope"):
        Stack(plan, only=["nope"])


CSV = ("# pxname,svname,qcur,status,check_status\n"
       "rasa,FRONTEND,,OPEN,\nrasa,rasa-1,0,UP,L7OK\nrasa,rasa-2,0,DOWN,L4CON\n"
       "rasa,BACKEND,0,UP,\nrasa_socketio,rasa-1,0,UP,\nweb,web,0,UP 1/2,L7OK\n")


@pytest.fixture()
def status_page() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = CSV.encode()
            self.send_response(200 if self.path == "/stats;csv" else 404)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/stats"
    server.shutdown()
    server.server_close()


def test_the_status_page_says_which_replicas_are_routed(status_page: str) -> None:
    states = server_states(status_page)
    assert states[("rasa", "rasa-1")] == "UP" and states[("rasa", "rasa-2")] == "DOWN"
    assert ("rasa", "BACKEND") not in states
    assert not_up(status_page, ["rasa-1"]) == []
    assert not_up(status_page, ["rasa-1", "rasa-2", "web", "actions-1"]) == [
        "actions-1", "rasa-2", "web"]  # unknown to HAProxy, down, going down


def test_a_silent_status_page_means_nothing_is_routed() -> None:
    from launcher.config import free_port

    assert not_up(f"http://127.0.0.1:{free_port()}/stats", ["web"]) == ["web"]
