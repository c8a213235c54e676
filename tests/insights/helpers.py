"""Shared helpers: recorded Rasa events, a fake SQL broker table, a consumer on a temp DB."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.insights.config import InsightsConfig
from bot.insights.consumer import Consumer
from bot.insights.db import Database, open_database

FIXTURES = Path(__file__).parent / "fixtures"
KEY = b"test-key-0123456789abcdef"


def recorded_events() -> list[dict[str, Any]]:
    lines = (FIXTURES / "recorded_events.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def write_broker_rows(path: Path, events: Iterable[Mapping[str, Any]]) -> None:
    """Rows as Rasa's SQLEventBroker writes them (table `events`: id, sender_id, data)."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, "
                   "sender_id VARCHAR(255), data TEXT)")
        db.executemany("INSERT INTO events (sender_id, data) VALUES (?, ?)",
                       [(e.get("sender_id"), json.dumps(e)) for e in events])


def make_config(tmp_path: Path, **changes: Any) -> InsightsConfig:
    tmp_path.mkdir(parents=True, exist_ok=True)
    base = InsightsConfig(db_url=f"sqlite:///{tmp_path / 'insights.sqlite3'}",
                          events_db=tmp_path / "events.sqlite3",
                          feedback_db=tmp_path / "feedback.sqlite3", hash_key=KEY,
                          poll_seconds=0.05, min_count=1)
    return replace(base, **changes)


async def make_consumer(config: InsightsConfig, db: Database | None = None,
                        clock: Callable[[], float] | None = None) -> Consumer:
    consumer = Consumer(config, db or open_database(config.db_url),
                        nis_of_name={"aalst": "41002", "gent": "44021"},
                        clock=clock or time.time)
    await consumer.setup()
    return consumer


async def turns(db: Database) -> list[dict[str, Any]]:
    async with db.transaction() as tx:
        rows = await tx.fetchall("SELECT * FROM insights_turns ORDER BY at, turn_key")
    return [dict(row) for row in rows]
