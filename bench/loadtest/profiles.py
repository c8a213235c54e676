"""The stacks a load run starts: the local profile, or the production profile on this
machine's PostgreSQL, Redis and RabbitMQ, each with its own state directory (and, in
production, its own PostgreSQL database, created here and dropped afterwards)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from launcher import ROOT, Stack, plan_isolated

MODEL = ROOT / "models" / "ondernemersloket.tar.gz"
INSIGHTS_QUEUE = "ondernemersloket_insights"  # endpoints.prod.yml
# Many owners from one address (the load client): the per-address limits are off for the run,
# as documented (RATE_LIMITS=off); the queue cap would turn away the run's hand-off requests.
LOAD_OVERRIDES = {"RATE_LIMITS": "off", "HANDOFF_MAX_WAITING_PER_COUNTER": "100000"}
SERVERS = {
    "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432", "POSTGRES_USER": "postgres",
    "POSTGRES_PASSWORD": "", "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379",
    "RABBITMQ_HOST": "127.0.0.1", "RABBITMQ_PORT": "5672", "RABBITMQ_USER": "guest",
    "RABBITMQ_PASSWORD": "guest",
}


@dataclass(frozen=True)
class RunningProfile:
    name: str
    stack: Stack
    state_dir: Path
    database: str | None  # production: the PostgreSQL database of this run

    @property
    def rasa_url(self) -> str:
        return self.stack.url("rasa")

    @property
    def env(self) -> Mapping[str, str]:
        return self.stack.plan.env


def servers(env: Mapping[str, str]) -> dict[str, str]:
    """The machine's servers: the caller's POSTGRES_*/REDIS_*/RABBITMQ_* win."""
    return {key: env.get(key, default) for key, default in SERVERS.items()}


def admin_url(values: Mapping[str, str], database: str = "postgres") -> str:
    auth = values["POSTGRES_USER"] + (f":{values['POSTGRES_PASSWORD']}"
                                      if values["POSTGRES_PASSWORD"] else "")
    return (f"postgresql://{auth}@{values['POSTGRES_HOST']}:{values['POSTGRES_PORT']}"
            f"/{database}")


@contextmanager
def postgres_database(values: Mapping[str, str], name: str) -> Iterator[str]:
    engine = create_engine(admin_url(values), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield name
    finally:
        with engine.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        engine.dispose()


def purge_insights_queue(values: Mapping[str, str]) -> int:
    """Empty the insights queue on this machine's RabbitMQ before a production run: what other
    runs left there would be counted as this run's events (and slow its consumer down)."""
    import asyncio

    import aio_pika

    async def purge() -> int:
        connection = await aio_pika.connect(
            f"amqp://{values['RABBITMQ_USER']}:{values['RABBITMQ_PASSWORD']}@"
            f"{values['RABBITMQ_HOST']}:{values['RABBITMQ_PORT']}/")
        try:
            channel = await connection.channel()
            queue = await channel.declare_queue(INSIGHTS_QUEUE, durable=True)
            result = await queue.purge()
            return int(getattr(result, "message_count", 0) or 0)
        finally:
            await connection.close()

    return asyncio.run(purge())


@contextmanager
def start_profile(name: str, state_root: Path,
                  extra: Mapping[str, str] | None = None) -> Iterator[RunningProfile]:
    stamp = time.strftime("%Y%m%d%H%M%S")
    state = state_root / f"{name}-{stamp}"
    state.mkdir(parents=True, exist_ok=True)
    overrides = {**LOAD_OVERRIDES, **(extra or {})}
    if name == "local":
        plan = plan_isolated(state, model=MODEL, overrides=overrides)
        with Stack(plan) as stack:
            yield RunningProfile(name, stack, state, None)
        return
    values = servers(os.environ)
    purge_insights_queue(values)
    database = f"olk_load_{stamp}_{os.getpid()}"
    with postgres_database(values, database):
        overrides = {**values, "POSTGRES_DB": database, **overrides}
        plan = plan_isolated(state, model=MODEL, profile="production", overrides=overrides)
        with Stack(plan) as stack:
            yield RunningProfile(name, stack, state, database)
