"""The environment every process of the stack gets.

Values the caller's environment already has win (so every variable documented in the README
works as documented); otherwise state paths come from the state directory, URLs from the ports
and secrets are generated for this run only. `StackConfig.overrides` are applied last.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from bot.storage.urls import postgres_url
from launcher.config import StackConfig

GENERATED_SECRETS = ("RASA_API_TOKEN", "DOSSIER_SERVICE_TOKEN", "DOSSIER_OFFICER_TOKENS",
                     "HANDOFF_SERVICE_TOKEN")
STATE_VARS = ("HANDOFF_DB", "DOSSIER_DB_URL", "DOSSIER_OUTBOX_PATH", "FEEDBACK_DB", "CONTENT_DIR",
              "INSIGHTS_DB_URL", "INSIGHTS_EVENTS_DB", "HANDOFF_DB_URL", "DOSSIER_OUTBOX_URL",
              "FEEDBACK_DB_URL")
URL_VARS = ("RASA_URL", "ACTION_SERVER_URL", "DOSSIER_SERVICE_URL", "HANDOFF_SERVICE_URL")
PORT_VARS = ("DOSSIER_PORT", "ACTION_PORT", "RASA_PORT", "WEB_PORT")
QUIET_DEFAULTS = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",  # TensorFlow's C++ start-up chatter
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}


@dataclass(frozen=True)
class StackEnv:
    values: dict[str, str]
    generated: tuple[str, ...]  # secrets made up for this run (the caller had none)


def without_stack_vars(env: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment minus everything that points at a state directory, a port or
    a URL of a running stack: what a test starts from so it never reaches a developer's
    `make run` (its port 8100, its var/)."""
    dropped = set(STATE_VARS + URL_VARS + PORT_VARS + ("PROFILE",))
    return {key: value for key, value in env.items() if key not in dropped}


def _secret(name: str) -> str:
    if name == "DOSSIER_OFFICER_TOKENS":
        return json.dumps({secrets.token_urlsafe(32): ["*"]})
    return secrets.token_urlsafe(32)


def state_defaults(config: StackConfig) -> dict[str, str]:
    state = config.state_dir.resolve()
    values = {
        "HANDOFF_DB": str(state / "handoff.sqlite3"),
        "DOSSIER_OUTBOX_PATH": str(state / "dossier_outbox.sqlite3"),
        "FEEDBACK_DB": str(state / "feedback.sqlite3"),
    }
    if config.profile == "local":  # production: the dossier and insights stores: PostgreSQL
        values["DOSSIER_DB_URL"] = f"sqlite:///{state / 'dossiers.sqlite3'}"
        values["INSIGHTS_DB_URL"] = f"sqlite:///{state / 'insights.sqlite3'}"
        values["INSIGHTS_EVENTS_DB"] = str(state / "events.sqlite3")  # Rasa's SQL event broker
    if config.content_dir is not None:
        values["CONTENT_DIR"] = str(config.content_dir)
    return values


def url_defaults(config: StackConfig) -> dict[str, str]:
    host, ports = config.host, config.ports
    return {
        "RASA_URL": f"http://{host}:{ports.rasa}",
        "ACTION_SERVER_URL": f"http://{host}:{ports.actions}/webhook",
        "DOSSIER_SERVICE_URL": f"http://{host}:{ports.dossiers}",
        "HANDOFF_SERVICE_URL": f"http://{host}:{ports.web}",
    }


def build_env(config: StackConfig, base: Mapping[str, str]) -> StackEnv:
    env = dict(base)
    for key, value in {**QUIET_DEFAULTS, **state_defaults(config), **url_defaults(config)}.items():
        env.setdefault(key, value)
    if config.content_dir is not None:
        env["CONTENT_DIR"] = str(config.content_dir)
    generated = []
    for name in GENERATED_SECRETS:
        if name not in config.overrides and not env.get(name):
            env[name] = _secret(name)
            generated.append(name)
    env["PROFILE"] = config.profile
    if config.profile == "production":
        # The web app sits behind our HAProxy on this machine: believe its X-Forwarded-For.
        env.setdefault("TRUSTED_PROXY_ADDRESSES", "127.0.0.1")
        # A replica killed mid-turn leaves its conversation lock in Redis; Rasa's default of
        # 60 s would keep that owner waiting past the proxy's time-out. Turns take seconds.
        env.setdefault("TICKET_LOCK_LIFETIME", "20")
        # Behind the proxy a dead action replica costs nothing (the connection fails and the
        # call goes to the other one), so the time-out only cuts off slow answers: on a busy
        # machine an action queued behind others took 6-12 s and the owner got the apology
        # while the action went on (a dossier stored, its reference never shown).
        env.setdefault("ACTION_TIMEOUT_SECONDS", "15")
        # Our own tables live in the machine's PostgreSQL (POSTGRES_*, as the tracker store):
        # the web app's (hand-off, officers, audit), the action servers' shared dossier outbox
        # and the dossier service's dossiers.
        # (POSTGRES_* given as overrides count too: a test or a load run brings its database.)
        servers = {**env, **config.overrides}
        env.setdefault("HANDOFF_DB_URL", postgres_url(servers))
        env.setdefault("DOSSIER_OUTBOX_URL", postgres_url(servers))
        env.setdefault("DOSSIER_DB_URL", postgres_url(servers))  # the dossier service's own
        env.setdefault("FEEDBACK_DB_URL", postgres_url(servers))  # the web app's votes
    # glibc gives each thread that allocates its own malloc arena; Rasa's thread pools
    # (TensorFlow, the event loop's executor) left ~60 MB in them. Two arenas: 2-6 % less
    # resident memory for Rasa, no measurable change in speed (docs/performance.md).
    env.setdefault("MALLOC_ARENA_MAX", "2")
    env["SANIC_HOST"] = config.host  # rasa-sdk binds to this: loopback only
    env.update(config.overrides)
    return StackEnv(env, tuple(generated))
