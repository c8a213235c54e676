"""Settings of the insights pipeline, from the environment (read when the web app starts)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from bot.deployment import DEFAULT_TENANT, content_dir, tenant
from bot.feedback import feedback_location
from bot.paths import DEFAULT_CONTENT_DIR, PROJECT_ROOT
from bot.storage.urls import postgres_url

DEFAULT_DB_URL = "sqlite:///var/insights.sqlite3"
DEFAULT_REVIEWED_FILE = PROJECT_ROOT / "data" / "nlu" / "reviewed.yml"
DEFAULT_EVENTS_DB = PROJECT_ROOT / "var" / "events.sqlite3"
DEFAULT_QUEUE = "ondernemersloket_insights"
DEFAULT_MIN_COUNT = 5
MAX_POLL_SECONDS = 2.0
ALL_COUNTERS = "*"


class InsightsConfigError(ValueError):
    pass


@dataclass(frozen=True)
class InsightsConfig:
    db_url: str = DEFAULT_DB_URL
    source: str = "sql"  # "sql": the SQL broker's events table; "rabbitmq": the pika broker
    events_db: Path = DEFAULT_EVENTS_DB
    feedback_db: Path | str | None = PROJECT_ROOT / "var" / "feedback.sqlite3"  # file or URL
    amqp_url: str = ""
    queue: str = DEFAULT_QUEUE
    exchange: str = "rasa-exchange"  # the fanout exchange Rasa's pika broker publishes to
    hash_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    min_count: int = DEFAULT_MIN_COUNT
    api_tokens: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    poll_seconds: float = 1.0
    tenant: str = DEFAULT_TENANT
    content_dir: Path = DEFAULT_CONTENT_DIR
    text_retention_days: int = 90
    timezone: str = "Europe/Brussels"
    enabled: bool = True
    reviewed_file: Path = DEFAULT_REVIEWED_FILE  # where assigned unanswered questions go
    training_dir: Path = PROJECT_ROOT / "data"  # examples already trained on are not added again

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> InsightsConfig:
        production = env.get("PROFILE", "local") == "production"
        key = env.get("INSIGHTS_HASH_KEY", "")
        poll = float(env.get("INSIGHTS_POLL_SECONDS", "1") or 1)
        return cls(
            db_url=env.get("INSIGHTS_DB_URL", "").strip()
            or (postgres_url(env) if production else DEFAULT_DB_URL),
            source="rabbitmq" if production else "sql",
            events_db=Path(env.get("INSIGHTS_EVENTS_DB", "") or DEFAULT_EVENTS_DB),
            feedback_db=feedback_location(env),
            amqp_url=_amqp_url(env) if production else "",
            queue=env.get("INSIGHTS_QUEUE", "") or DEFAULT_QUEUE,
            hash_key=key.encode("utf-8") if key else secrets.token_bytes(32),
            min_count=max(1, int(env.get("INSIGHTS_MIN_COUNT", "") or DEFAULT_MIN_COUNT)),
            api_tokens=parse_tokens(env.get("INSIGHTS_API_TOKENS", "")),
            poll_seconds=min(MAX_POLL_SECONDS, max(0.05, poll)),
            tenant=tenant(env),
            content_dir=content_dir(env),
            text_retention_days=int(env.get("INSIGHTS_TEXT_RETENTION_DAYS", "") or 90),
            enabled=env.get("INSIGHTS", "on").lower() != "off",
            reviewed_file=Path(env.get("INSIGHTS_REVIEWED_FILE", "") or DEFAULT_REVIEWED_FILE),
        )


def parse_tokens(raw: str) -> dict[str, tuple[str, ...]]:
    """INSIGHTS_API_TOKENS: JSON {token: [counter ids]} ("*" = every counter). Empty: no tokens
    (the API then refuses every request)."""
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise InsightsConfigError("INSIGHTS_API_TOKENS must be JSON: {token: [counter ids]}"
                                  ) from error
    if not isinstance(data, dict):
        raise InsightsConfigError("INSIGHTS_API_TOKENS must be a JSON object")
    tokens: dict[str, tuple[str, ...]] = {}
    for token, counters in data.items():
        if not isinstance(token, str) or len(token) < 16:
            raise InsightsConfigError("INSIGHTS_API_TOKENS: every token needs 16+ characters")
        if not isinstance(counters, list) or not counters or \
                not all(isinstance(c, str) and c for c in counters):
            raise InsightsConfigError("INSIGHTS_API_TOKENS: each token needs a list of counters")
        tokens[token] = tuple(counters)
    return tokens


def _amqp_url(env: Mapping[str, str]) -> str:
    user = quote(env.get("RABBITMQ_USER", "guest"), safe="")
    password = quote(env.get("RABBITMQ_PASSWORD", "guest"), safe="")
    return (f"amqp://{user}:{password}@{env.get('RABBITMQ_HOST', '127.0.0.1')}:"
            f"{env.get('RABBITMQ_PORT', '5672')}/")
