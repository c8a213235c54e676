"""Where each profile keeps our own tables: SQLite files under the state directory locally,
the machine's PostgreSQL (POSTGRES_*) in the production profile."""

from __future__ import annotations

from pathlib import Path

from actions.settings import ActionSettings
from bot.storage.urls import location_url, postgres_url
from launcher.config import StackConfig
from launcher.environment import build_env

SERVERS = {"POSTGRES_HOST": "db.internal", "POSTGRES_PORT": "5433", "POSTGRES_DB": "loket",
           "POSTGRES_USER": "loket", "POSTGRES_PASSWORD": "p@ss word"}


def test_production_puts_the_web_app_and_the_outbox_in_postgresql(tmp_path: Path) -> None:
    env = build_env(StackConfig(state_dir=tmp_path, profile="production"), SERVERS).values
    expected = "postgresql://loket:p%40ss%20word@db.internal:5433/loket"
    assert env["HANDOFF_DB_URL"] == env["DOSSIER_OUTBOX_URL"] == expected
    assert ActionSettings.from_env(env).outbox_url == expected


def test_local_keeps_them_in_sqlite_files_of_the_state_directory(tmp_path: Path) -> None:
    env = build_env(StackConfig(state_dir=tmp_path, profile="local"), SERVERS).values
    assert "HANDOFF_DB_URL" not in env and "DOSSIER_OUTBOX_URL" not in env
    assert ActionSettings.from_env(env).outbox_url == \
        f"sqlite:///{tmp_path.resolve() / 'dossier_outbox.sqlite3'}"
    assert location_url(Path(env["HANDOFF_DB"])) == \
        f"sqlite:///{tmp_path.resolve() / 'handoff.sqlite3'}"


def test_a_url_the_caller_sets_wins(tmp_path: Path) -> None:
    caller = {**SERVERS, "HANDOFF_DB_URL": "postgresql://other/handoff"}
    env = build_env(StackConfig(state_dir=tmp_path, profile="production"), caller).values
    assert env["HANDOFF_DB_URL"] == "postgresql://other/handoff"
    assert env["DOSSIER_OUTBOX_URL"] == postgres_url(SERVERS)
