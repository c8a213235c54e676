"""The dashboard's figures, the unanswered-question review and the report's queries on the real
PostgreSQL of the production profile give what they give on SQLite (the same recorded
conversations). Skipped only outside CI when PostgreSQL is missing."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.insights import details
from bot.insights.db import Database, PostgresDatabase
from bot.insights.summary import Filters, Period, summary, weekly
from bot.insights.turns import local_day
from bot.insights.unanswered import ReviewScope, decide, open_questions
from tests.conftest import require_service
from tests.insights.helpers import make_config, make_consumer, recorded_events

pytestmark = pytest.mark.services
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


async def everything(db: Database) -> dict:
    events = recorded_events()
    first = date.fromisoformat(local_day(float(events[0]["timestamp"]), "Europe/Brussels"))
    period = Period(first - timedelta(days=1), first + timedelta(days=1))
    scope = ReviewScope(None, True, time.time() - 10 * 365 * 86400)
    found: dict = {}
    async with db.transaction() as tx:
        for name, filters in (("all", Filters()), ("rest", Filters(channel="rest")),
                              ("terras", Filters(topic="terrasvergunning"))):
            found[name] = {
                "summary": await summary(tx, period, ["41002", "44021"], str, 1,
                                         filters=filters),
                "weekly": await weekly(tx, period, None, 1, filters),
                "hours": await details.hours(tx, period, ["41002", "44021"], filters, 1,
                                             "Europe/Brussels", lambda nis: None),
                "dossiers": await details.dossiers(tx, period, None, filters, 1),
                "feedback": await details.feedback_by_topic(tx, period, None, filters, 1),
                "handoffs": await details.handoffs(tx, period, None, filters, 1),
                "comparison": await details.comparison(tx, period, ["41002"], filters, 1,
                                                       str)}
        questions = await open_questions(tx, scope)
        found["questions"] = sorted(q.text for q in questions)
        found["empty_scope"] = await open_questions(tx, ReviewScope(frozenset(), False, 0.0))
        decided = await decide(tx, scope, [q.key for q in questions[:1]], decision="topic",
                               topic="terrasvergunning", officer_id=1, now=time.time())
        found["decided"] = [q.text for q in decided]
        found["left"] = len(await open_questions(tx, scope))
    return found


async def ingest(db: Database | None, tmp_path) -> tuple[Database, dict]:
    consumer = await make_consumer(replace(make_config(tmp_path), source="rabbitmq"), db=db)
    for event in recorded_events():
        await consumer.handle_message(json.dumps(event).encode())
    return consumer.db, await everything(consumer.db)


async def test_figures_and_review_on_postgres_match_sqlite(tmp_path):
    require_service("PostgreSQL", "127.0.0.1", 5432)
    sqlite_db, expected = await ingest(None, tmp_path / "sqlite")
    await sqlite_db.close()
    schema = "insights_figures_" + secrets.token_hex(4)
    db = PostgresDatabase(POSTGRES, schema=schema)
    try:
        _db, found = await ingest(db, tmp_path / "pg")
        assert found == expected
        assert expected["questions"] and expected["decided"]
        assert expected["left"] == len(expected["questions"]) - 1
        assert expected["empty_scope"] == []
        assert any(d["stopped_at"] for d in expected["all"]["dossiers"])
        assert any(h["median_wait_seconds"] is not None for h in expected["all"]["handoffs"])
    finally:
        async with db.transaction() as tx:
            await tx.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await db.close()
