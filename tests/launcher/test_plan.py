"""Commands and environment the launcher builds (nothing is started here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from launcher import (
    ROOT,
    SERVICE_NAMES,
    Ports,
    StackConfig,
    make_run_config,
    plan_isolated,
    plan_stack,
    without_stack_vars,
)
from launcher.state import prepare_state

FIXED_PORTS = {5005, 5055, 8000, 8100}


def test_make_run_uses_the_documented_ports_and_var(tmp_path: Path) -> None:
    config = make_run_config({})
    assert config.ports == Ports(dossiers=8100, actions=5055, rasa=5005, web=8000)
    assert config.state_dir == ROOT / "var"
    assert config.log_dir == ROOT / "var" / "log"
    assert config.profile == "local"


def test_make_run_reads_ports_profile_and_web_host_from_the_environment() -> None:
    config = make_run_config({"DOSSIER_PORT": "9100", "ACTION_PORT": "9055", "RASA_PORT": "9005",
                              "WEB_PORT": "9000", "PROFILE": "production",
                              "WEB_HOST": "0.0.0.0"})
    assert config.ports == Ports(dossiers=9100, actions=9055, rasa=9005, web=9000)
    assert config.profile == "production"
    assert config.web_host == "0.0.0.0"


def test_an_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="PROFILE"):
        make_run_config({"PROFILE": "staging"})


def test_free_ports_are_distinct_and_never_the_fixed_ones() -> None:
    ports = Ports.free()
    numbers = {ports.of(name) for name in SERVICE_NAMES}
    assert len(numbers) == 4
    assert not numbers & FIXED_PORTS


def test_commands_of_the_four_services(tmp_path: Path) -> None:
    ports = Ports(dossiers=1111, actions=2222, rasa=3333, web=4444)
    plan = plan_stack(StackConfig(state_dir=tmp_path, ports=ports), {"RASA_API_TOKEN": "-tok"})
    argv = {service.name: service.argv[1:] for service in plan.services}
    assert [service.name for service in plan.services] == list(SERVICE_NAMES)
    assert argv["dossiers"] == ("-m", "bot.dossiers", "serve", "--host", "127.0.0.1",
                                "--port", "1111")
    assert argv["actions"] == ("-m", "connectors.actions_entry", "--actions", "actions",
                               "--port", "2222")
    assert argv["web"] == ("-m", "bot.web", "--host", "127.0.0.1", "--port", "4444")
    rasa = argv["rasa"]
    assert rasa[:3] == ("-m", "connectors.rasa_entry", "run")
    assert not any("-tok" in arg for arg in rasa)  # never on the command line
    assert plan.env["RASA_API_TOKEN"] == "-tok"  # it travels in the environment
    assert rasa[rasa.index("--port") + 1] == "3333"
    assert rasa[rasa.index("--endpoints") + 1] == str(tmp_path / "endpoints.local.yml")
    assert rasa[rasa.index("--credentials") + 1] == str(ROOT / "credentials.yml")
    assert plan.service("rasa").health_url == "http://127.0.0.1:3333/"
    assert plan.service("web").health_url == "http://127.0.0.1:4444/health"


def test_production_profile_uses_endpoints_prod(tmp_path: Path) -> None:
    plan = plan_stack(StackConfig(state_dir=tmp_path, profile="production"), {})
    for rasa in plan.members("rasa"):
        argv = rasa.argv
        assert argv[argv.index("--endpoints") + 1] == str(ROOT / "endpoints.prod.yml")
    assert plan.env["PROFILE"] == "production"


def test_state_lives_in_the_state_directory(tmp_path: Path) -> None:
    plan = plan_stack(StackConfig(state_dir=tmp_path, ports=Ports.free()), {})
    env, state = plan.env, str(tmp_path.resolve())
    assert env["HANDOFF_DB"] == f"{state}/handoff.sqlite3"
    assert env["DOSSIER_DB_URL"] == f"sqlite:///{state}/dossiers.sqlite3"
    assert env["DOSSIER_OUTBOX_PATH"] == f"{state}/dossier_outbox.sqlite3"
    assert env["FEEDBACK_DB"] == f"{state}/feedback.sqlite3"
    assert "CONTENT_DIR" not in env


def test_urls_follow_the_chosen_ports(tmp_path: Path) -> None:
    ports = Ports(dossiers=1111, actions=2222, rasa=3333, web=4444)
    env = plan_stack(StackConfig(state_dir=tmp_path, ports=ports), {}).env
    assert env["DOSSIER_SERVICE_URL"] == "http://127.0.0.1:1111"
    assert env["ACTION_SERVER_URL"] == "http://127.0.0.1:2222/webhook"
    assert env["RASA_URL"] == "http://127.0.0.1:3333"
    assert env["HANDOFF_SERVICE_URL"] == "http://127.0.0.1:4444"
    assert env["SANIC_HOST"] == "127.0.0.1"
    assert env["RASA_TELEMETRY_ENABLED"] == "false"
    assert env["SQLALCHEMY_SILENCE_UBER_WARNING"] == "1"


def test_documented_variables_set_by_the_caller_win(tmp_path: Path) -> None:
    caller = {"DOSSIER_DB_URL": "postgresql://db/dossiers", "HANDOFF_DB": "/srv/h.sqlite3",
              "DOSSIER_OUTBOX_PATH": "/srv/outbox.sqlite3", "RASA_API_TOKEN": "given-token",
              "DOSSIER_SERVICE_URL": "http://dossiers.internal:8100", "TENANT": "limburg",
              "HANDOFF_SERVICE_TOKEN": "handoff-token-given"}
    plan = plan_stack(StackConfig(state_dir=tmp_path), caller)
    for key, value in caller.items():
        assert plan.env[key] == value
    assert "RASA_API_TOKEN" not in plan.generated
    assert not any("given-token" in arg for arg in plan.service("rasa").argv)


def test_missing_or_empty_secrets_are_generated_for_this_run(tmp_path: Path) -> None:
    plan = plan_stack(StackConfig(state_dir=tmp_path), {"DOSSIER_SERVICE_TOKEN": ""})
    assert set(plan.generated) == {"RASA_API_TOKEN", "DOSSIER_SERVICE_TOKEN",
                                   "DOSSIER_OFFICER_TOKENS", "HANDOFF_SERVICE_TOKEN"}
    assert len(plan.env["DOSSIER_SERVICE_TOKEN"]) >= 16
    officers = json.loads(plan.env["DOSSIER_OFFICER_TOKENS"])
    assert list(officers.values()) == [["*"]]
    other = plan_stack(StackConfig(state_dir=tmp_path), {})
    assert other.env["RASA_API_TOKEN"] != plan.env["RASA_API_TOKEN"]


def test_overrides_are_applied_last(tmp_path: Path) -> None:
    config = StackConfig(state_dir=tmp_path, overrides={"ACTION_TIMEOUT_SECONDS": "4",
                                                        "HANDOFF_DB": "/x.sqlite3"})
    env = plan_stack(config, {"ACTION_TIMEOUT_SECONDS": "9"}).env
    assert env["ACTION_TIMEOUT_SECONDS"] == "4"
    assert env["HANDOFF_DB"] == "/x.sqlite3"


def test_content_dir_of_the_config_is_passed_on(tmp_path: Path) -> None:
    env = plan_stack(StackConfig(state_dir=tmp_path, content_dir=tmp_path / "content"),
                     {"CONTENT_DIR": "/elsewhere"}).env
    assert env["CONTENT_DIR"] == str(tmp_path / "content")


def test_isolated_plans_ignore_a_running_make_run(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {"HANDOFF_DB": str(ROOT / "var" / "handoff.sqlite3"),
                       "DOSSIER_SERVICE_URL": "http://127.0.0.1:8100", "DOSSIER_PORT": "8100",
                       "PROFILE": "production", "FEEDBACK_DB": "/var/feedback.sqlite3",
                       "TENANT": "oost-vlaanderen"}.items():
        monkeypatch.setenv(key, value)
    plan = plan_isolated(tmp_path)
    assert plan.env["PROFILE"] == "local"
    assert plan.env["TENANT"] == "oost-vlaanderen"  # not a stack variable: kept
    values = " ".join(plan.env[key] for key in ("HANDOFF_DB", "DOSSIER_SERVICE_URL",
                                                "FEEDBACK_DB", "DOSSIER_DB_URL"))
    assert ":8100" not in values
    assert str(ROOT / "var") not in values
    ports = {service.port for service in plan.services}
    assert not ports & FIXED_PORTS


def test_without_stack_vars_keeps_everything_else() -> None:
    env = {"HANDOFF_DB": "x", "RASA_URL": "y", "WEB_PORT": "1", "PATH": "/bin", "TENANT": "t"}
    assert without_stack_vars(env) == {"PATH": "/bin", "TENANT": "t"}


@pytest.mark.parametrize(("level", "flags"), [("", ()), ("INFO", ()), ("DEBUG", ("--debug",)),
                                              ("warning", ("--quiet",))])
def test_log_level_reaches_the_action_server(tmp_path: Path, level: str,
                                             flags: tuple[str, ...]) -> None:
    plan = plan_stack(StackConfig(state_dir=tmp_path), {"LOG_LEVEL": level})
    argv = plan.service("actions").argv
    assert argv[argv.index("--port") + 2:] == flags
    assert plan.env["LOG_LEVEL"] == level  # Rasa reads LOG_LEVEL itself


def test_local_endpoints_keep_the_tracker_store_in_the_state_directory(tmp_path: Path) -> None:
    config = StackConfig(state_dir=tmp_path / "state")
    prepare_state(config)
    written = yaml.safe_load((tmp_path / "state" / "endpoints.local.yml").read_text("utf-8"))
    original = yaml.safe_load((ROOT / "endpoints.yml").read_text("utf-8"))
    assert written["action_endpoint"] == original["action_endpoint"]  # ${ACTION_SERVER_URL}
    assert written["tracker_store"]["db"] == str((tmp_path / "state" /
                                                  "trackers.sqlite3").resolve())
    assert written["lock_store"] == original["lock_store"]
    assert (tmp_path / "state" / "log").is_dir()


def test_planning_writes_nothing(tmp_path: Path) -> None:
    plan_stack(StackConfig(state_dir=tmp_path / "state"), {})
    assert not (tmp_path / "state").exists()


def test_every_sqlite_file_of_the_local_endpoints_moves_to_the_state_dir(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    root.mkdir()
    (root / "endpoints.yml").write_text(
        "action_endpoint:\n  url: ${ACTION_SERVER_URL}\n"
        "tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: var/trackers.sqlite3\n"
        "event_broker:\n  type: SQL\n  dialect: sqlite\n  db: var/events.sqlite3\n",
        encoding="utf-8")
    state = tmp_path / "state"
    config = StackConfig(state_dir=state, root=root)
    prepare_state(config)
    written = yaml.safe_load((state / "endpoints.local.yml").read_text("utf-8"))
    assert written["tracker_store"]["db"] == str(state.resolve() / "trackers.sqlite3")
    assert written["event_broker"]["db"] == str(state.resolve() / "events.sqlite3")
    env = plan_stack(config, {}).env
    assert env["INSIGHTS_EVENTS_DB"] == written["event_broker"]["db"]  # the reader finds it


def test_production_leaves_the_insights_store_to_its_own_default(tmp_path: Path) -> None:
    env = plan_stack(StackConfig(state_dir=tmp_path, profile="production"), {}).env
    assert "INSIGHTS_DB_URL" not in env


def test_production_state_follows_the_database_given_as_override(tmp_path: Path) -> None:
    config = StackConfig(state_dir=tmp_path, profile="production",
                         overrides={"POSTGRES_DB": "olk_run_7"})
    env = plan_stack(config, {"POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432",
                              "POSTGRES_DB": "ondernemersloket", "POSTGRES_USER": "postgres"}).env
    assert env["HANDOFF_DB_URL"].endswith("/olk_run_7")
    assert env["DOSSIER_OUTBOX_URL"].endswith("/olk_run_7")
    assert env["DOSSIER_DB_URL"].endswith("/olk_run_7")  # no dossiers in var/ either
    assert env["FEEDBACK_DB_URL"].endswith("/olk_run_7")


def test_production_conversation_locks_outlive_a_turn_not_a_dead_replica(tmp_path: Path) -> None:
    production = plan_stack(StackConfig(state_dir=tmp_path, profile="production"), {}).env
    assert production["TICKET_LOCK_LIFETIME"] == "20"
    given = plan_stack(StackConfig(state_dir=tmp_path, profile="production"),
                       {"TICKET_LOCK_LIFETIME": "45"}).env
    assert given["TICKET_LOCK_LIFETIME"] == "45"
    assert "TICKET_LOCK_LIFETIME" not in plan_stack(StackConfig(state_dir=tmp_path), {}).env


def test_production_waits_longer_for_an_action_than_the_local_profile(tmp_path: Path) -> None:
    production = plan_stack(StackConfig(state_dir=tmp_path, profile="production"), {}).env
    assert production["ACTION_TIMEOUT_SECONDS"] == "15"
    given = plan_stack(StackConfig(state_dir=tmp_path, profile="production"),
                       {"ACTION_TIMEOUT_SECONDS": "8"}).env
    assert given["ACTION_TIMEOUT_SECONDS"] == "8"
    assert "ACTION_TIMEOUT_SECONDS" not in plan_stack(StackConfig(state_dir=tmp_path), {}).env
