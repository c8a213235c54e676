"""Retention (issue 15): data older than the tenant's `retention_days` is deleted from every
store, on real SQLite files: Rasa's tracker store and SQL event broker, the hand-off requests
and transcript lines, feedback, the audit log and the analytics texts. `make purge` (python -m
bot.retention) prints the counts; the web app purges on a schedule."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from rasa.core.brokers.sql import SQLEventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.catalog import ContentError
from bot.counters import RetentionDays, load_tenant
from bot.feedback import Feedback, FeedbackStore
from bot.handoff.audit import AuditLog
from bot.handoff.db import Database
from bot.handoff.requests import NewRequest, RequestStore
from bot.insights import store as insights_store
from bot.insights.db import open_database
from bot.insights.turns import Turn
from bot.retention import Stores, Targets, interval_seconds, purge, purge_once
from connectors.tracker_store import PrivateSQLTrackerStore
from tests.conftest import ROOT

NOW = 1_795_428_000.0  # 2026-11-23
DAY = 86400.0
OLD = NOW - 100 * DAY  # older than the 90-day defaults
RECENT = NOW - 10 * DAY
TENANT = ROOT / "content" / "tenants" / "oost-vlaanderen.yml"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def senders(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id"))


async def seed_trackers(path: Path, broker_path: Path | None = None) -> None:
    """Three conversations through our real tracker store: one last active 100 days ago, one
    that started 100 days ago and went on 10 days ago, one of 10 days ago."""
    domain = Domain.empty()
    broker = SQLEventBroker(db=str(broker_path)) if broker_path else None
    store = PrivateSQLTrackerStore(domain, dialect="sqlite", db=str(path), event_broker=broker)
    for sender, stamps in {"old": (OLD, OLD + 60), "mixed": (OLD, RECENT),
                           "recent": (RECENT, RECENT + 5)}.items():
        tracker = DialogueStateTracker(sender, domain.slots)
        tracker.update(UserUttered("mijn mail is an@voorbeeld.be", {"name": "inform"},
                                   timestamp=stamps[0]))
        tracker.update(BotUttered("Dank je", timestamp=stamps[1]))
        await store.save(tracker)


async def seed_handoff(path: Path) -> tuple[RequestStore, AuditLog, Database]:
    db, clock = Database(path), Clock(OLD)
    requests, audit = RequestStore(db, clock), AuditLog(db, clock)
    new = NewRequest("conv-old", "gent", "Ondernemersloket Gent", summary="terras")
    old, _ = await requests.create(new, "callback")
    await requests.set_contact(old.id, "phone", "0470 12 34 56")
    await requests.create(NewRequest("conv-open", "gent", "Gent"), "live")  # waited 100 days
    long_running, _ = await requests.create(NewRequest("conv-long", "gent", "Gent"), "live")
    clock.now = NOW - 800 * DAY  # the audit log is kept 730 days
    await audit.record(1, "take", "HO-OLD")
    clock.now = NOW - 700 * DAY
    await audit.record(1, "take", "HO-700")
    await db.execute("INSERT INTO messages (conversation_id, author, officer, text, created_at)"
                     " VALUES ('conv-old', 'officer', 'Sofie', 'Ik bel je', :at)", {"at": OLD})
    clock.now = RECENT
    await requests.finish(long_running.id, "closed", ("queued",))  # closed 10 days ago: kept
    await requests.create(NewRequest("conv-new", "gent", "Gent"), "live")
    await audit.record(1, "take", "HO-NEW")
    await db.execute("INSERT INTO messages (conversation_id, author, officer, text, created_at)"
                     " VALUES ('conv-new', 'officer', 'Sofie', 'Hallo', :at)", {"at": RECENT})
    return requests, audit, db


def seed_feedback(path: Path) -> FeedbackStore:
    feedback = FeedbackStore(path)
    for n, at in enumerate((NOW - 400 * DAY, NOW - 300 * DAY, RECENT)):
        feedback.record(Feedback("conv", f"m{n}", "up", "terrasvergunning", "Gent",
                                 "oost-vlaanderen", at=iso(at)))
    return feedback


async def seed_insights(url: str) -> None:
    db = open_database(url)
    async with db.transaction() as tx:
        for key, at in (("t-old", OLD), ("t-new", RECENT)):
            await insights_store.write_turn(tx, Turn(key=key, conversation="h1", at=at,
                                                     day="2026-08-15", fell_back=True,
                                                     text="vraag over [email]"))
    await db.close()


def insights_texts(path: Path) -> dict[str, str | None]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT turn_key, text FROM insights_turns"))


async def test_every_store_loses_what_is_older_than_the_limit(tmp_path: Path) -> None:
    trackers, broker = tmp_path / "trackers.sqlite3", tmp_path / "events.sqlite3"
    await seed_trackers(trackers, broker)
    requests, audit, db = await seed_handoff(tmp_path / "handoff.sqlite3")
    feedback = seed_feedback(tmp_path / "feedback.sqlite3")
    insights_url = f"sqlite:///{tmp_path / 'insights.sqlite3'}"
    await seed_insights(insights_url)
    insights = open_database(insights_url)
    assert senders(trackers) == {"old": 2, "mixed": 2, "recent": 2}

    result = await purge(Stores(tracker_url=f"sqlite:///{trackers}", broker_events_db=broker,
                                requests=requests, audit=audit, feedback=feedback,
                                insights=insights), RetentionDays(), now=NOW)

    assert result.errors == {}
    assert result.counts == {"trackers": 1, "broker_events": 3, "handoff_requests": 2,
                             "handoff_messages": 1, "feedback": 1, "audit": 1,
                             "analytics_texts": 1}
    # A conversation goes as a whole once its newest event is too old; "mixed" stays whole.
    assert senders(trackers) == {"mixed": 2, "recent": 2}
    with sqlite3.connect(broker) as conn:
        stamps = sorted(json.loads(row[0])["timestamp"] for row in conn.execute(
            "SELECT data FROM events"))
    assert stamps and min(stamps) >= NOW - 90 * DAY
    left = [(r["conversation_id"], r["status"]) for r in await db.fetch_all(
        "SELECT conversation_id, status FROM requests ORDER BY id")]
    assert left == [("conv-long", "closed"), ("conv-new", "queued")]
    assert [r["text"] for r in await db.fetch_all("SELECT text FROM messages")] == ["Hallo"]
    assert [e.target for e in await audit.entries()] == ["HO-NEW", "HO-700"]
    assert [f.message_id for f in feedback.all()] == ["m1", "m2"]  # 300 days < 365
    assert insights_texts(tmp_path / "insights.sqlite3") == {"t-old": None,
                                                            "t-new": "vraag over [email]"}
    await db.close()
    await insights.close()

    again = await purge(Stores(tracker_url=f"sqlite:///{trackers}", broker_events_db=broker),
                        RetentionDays(), now=NOW)
    assert again.counts == {"trackers": 0, "broker_events": 0}


async def test_the_tenants_limits_apply(tmp_path: Path) -> None:
    trackers = tmp_path / "trackers.sqlite3"
    await seed_trackers(trackers)
    result = await purge(Stores(tracker_url=f"sqlite:///{trackers}"),
                         RetentionDays(conversations=5), now=NOW)
    assert result.counts == {"trackers": 3}
    assert senders(trackers) == {}


async def test_missing_stores_are_empty_and_are_not_created(tmp_path: Path) -> None:
    result = await purge(Stores(tracker_url=f"sqlite:///{tmp_path / 'trackers.sqlite3'}",
                                broker_events_db=tmp_path / "events.sqlite3",
                                feedback=FeedbackStore(tmp_path / "feedback.sqlite3")),
                         RetentionDays(), now=NOW)
    assert result.counts == {"trackers": 0, "broker_events": 0, "feedback": 0}
    assert os.listdir(tmp_path) == []


async def test_a_broken_store_is_reported_and_the_others_still_run(tmp_path: Path) -> None:
    feedback = seed_feedback(tmp_path / "feedback.sqlite3")
    result = await purge(Stores(tracker_url="postgresql://nobody@127.0.0.1:1/none",
                                feedback=feedback), RetentionDays(), now=NOW)
    assert set(result.errors) == {"trackers"}
    assert result.counts == {"feedback": 1}
    assert any("error" in line for line in result.lines())


def test_retention_days_in_the_tenant_file(tmp_path: Path) -> None:
    assert load_tenant(TENANT).retention == RetentionDays(
        conversations=90, handoff_transcripts=90, feedback=365, analytics_texts=90, audit=730,
        closed_dossiers=None)
    data = yaml.safe_load(TENANT.read_text(encoding="utf-8"))
    del data["retention_days"]
    path = tmp_path / "t.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_tenant(path).retention == RetentionDays()  # documented defaults
    assert RetentionDays().conversations == RetentionDays().handoff_transcripts == 90
    for bad in ({"conversations": 0}, {"feedback": "lang"}, {"forever": 1}):
        data["retention_days"] = bad
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        with pytest.raises(ContentError, match="retention_days"):
            load_tenant(path)


def test_where_the_stores_are_from_the_environment(tmp_path: Path) -> None:
    local = Targets.from_env({"HANDOFF_DB": str(tmp_path / "handoff.sqlite3"),
                              "INSIGHTS_EVENTS_DB": str(tmp_path / "events.sqlite3")})
    assert local.tracker_url == f"sqlite:///{tmp_path.resolve() / 'trackers.sqlite3'}"
    assert local.broker_events_db == tmp_path / "events.sqlite3"
    production = Targets.from_env({"PROFILE": "production", "POSTGRES_HOST": "db",
                                   "POSTGRES_DB": "olk", "POSTGRES_USER": "u"})
    assert production.tracker_url == "postgresql://u@db:5432/olk"
    assert production.broker_events_db is None
    assert Targets.from_env({"TRACKER_DB_URL": "sqlite:////x.db"}).tracker_url == "sqlite:////x.db"
    assert interval_seconds({}) == 3600
    assert interval_seconds({"PURGE_INTERVAL_SECONDS": "off"}) is None


def stack_env(tmp_path: Path) -> dict[str, str]:
    return {"HANDOFF_DB": str(tmp_path / "handoff.sqlite3"),
            "FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
            "INSIGHTS_DB_URL": f"sqlite:///{tmp_path / 'insights.sqlite3'}",
            "INSIGHTS_EVENTS_DB": str(tmp_path / "events.sqlite3"),
            "TENANT": "oost-vlaanderen", "CONTENT_DIR": str(ROOT / "content")}


async def test_purge_once_finds_the_stores_of_a_state_directory(tmp_path: Path) -> None:
    await seed_trackers(tmp_path / "trackers.sqlite3", tmp_path / "events.sqlite3")
    await (await seed_handoff(tmp_path / "handoff.sqlite3"))[2].close()
    seed_feedback(tmp_path / "feedback.sqlite3")
    await seed_insights(f"sqlite:///{tmp_path / 'insights.sqlite3'}")
    result = await purge_once(stack_env(tmp_path), now=NOW)
    assert result.errors == {}
    assert result.counts == {"trackers": 1, "broker_events": 3, "handoff_requests": 2,
                             "handoff_messages": 1, "feedback": 1, "audit": 1,
                             "analytics_texts": 1}


def test_make_purge_prints_counts_per_store(tmp_path: Path) -> None:
    asyncio.run(seed_trackers(tmp_path / "trackers.sqlite3"))  # 100 days before 2026-11-23
    env = {**os.environ, **stack_env(tmp_path)}
    env.pop("PROFILE", None)
    env.pop("TRACKER_DB_URL", None)
    done = subprocess.run([sys.executable, "-m", "bot.retention"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("retention purge")
    counts = {line.split()[0]: line.split()[1] for line in lines[1:]}
    assert counts["trackers"] == "1" and counts["feedback"] == "0"
    assert "closed_dossiers" not in counts  # no dossier store here (test_dossier_retention.py)
    assert not (tmp_path / "handoff.sqlite3").exists()  # a purge creates no store


async def test_the_web_app_purges_on_a_schedule(tmp_path: Path, aiohttp_client,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.web.app import create_app
    from bot.webcore.config import WebConfig

    await seed_trackers(tmp_path / "trackers.sqlite3")
    feedback = FeedbackStore(tmp_path / "feedback.sqlite3")
    feedback.record(Feedback("c", "m", "down", None, None, None, at="2020-01-01T00:00:00+00:00"))
    for key, value in {**stack_env(tmp_path), "PURGE_INTERVAL_SECONDS": "0.05",
                       "INSIGHTS": "off"}.items():
        monkeypatch.setenv(key, value)
    await aiohttp_client(create_app(WebConfig()))
    for _ in range(100):
        if not feedback.all() and "old" not in senders(tmp_path / "trackers.sqlite3"):
            break
        await asyncio.sleep(0.05)
    assert feedback.all() == []
    # "old" and "mixed" ended more than 90 days before today (real time: 2026-12 and later)
    assert "old" not in senders(tmp_path / "trackers.sqlite3")
