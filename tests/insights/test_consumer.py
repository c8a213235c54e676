"""The analytics consumer on recorded Rasa events: turns, privacy, restart and redelivery."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.feedback import Feedback, FeedbackStore
from bot.insights import consumer as consumer_module
from bot.insights import store
from bot.message_ids import bot_message_id
from tests.insights.helpers import (
    make_config,
    make_consumer,
    recorded_events,
    turns,
    write_broker_rows,
)

SENDERS = ("owner-aalst-1", "owner-gent-1", "owner-aalst-2")


def interleaved(events: list[dict]) -> list[dict]:
    """The recorded conversations mixed turn by turn, as the broker sees parallel owners."""
    by_sender: dict[str, list[dict]] = {}
    for event in events:
        by_sender.setdefault(event["sender_id"], []).append(event)
    mixed: list[dict] = []
    while any(by_sender.values()):
        for queue in by_sender.values():
            while queue:
                mixed.append(queue.pop(0))
                if mixed[-1]["event"] == "action" and mixed[-1]["name"] == "action_listen":
                    break
    return mixed


async def ingest_all(tmp_path: Path, events: list[dict]) -> list[dict]:
    config = make_config(tmp_path)
    write_broker_rows(config.events_db, events)
    consumer = await make_consumer(config)
    await consumer.tick()
    result = await turns(consumer.db)
    await consumer.db.close()
    return result


def by_intent(rows: list[dict], intent: str) -> list[dict]:
    return [row for row in rows if row["intent"] == intent]


async def test_recorded_conversations_become_turns(tmp_path):
    rows = await ingest_all(tmp_path, recorded_events())
    assert len(rows) == 11
    assert len({row["conversation"] for row in rows}) == 3
    topic = [row for row in rows if row["topic"] == "terrasvergunning"]
    assert {(row["nis"], row["counter"]) for row in topic} == {("41002", "aalst"),
                                                               ("44021", "gent")}
    clarify = by_intent(rows, "nlu_fallback")
    asked = [row for row in clarify if row["clarified"]]
    assert len(asked) == 1 and asked[0]["fell_back"] == 1
    assert asked[0]["text"] == "mijn mail is [email] en ik bel [phone]"
    out_of_scope = by_intent(rows, "out_of_scope")[0]
    assert out_of_scope["fell_back"] == 1 and out_of_scope["text"]
    unavailable = [row for row in rows if row["handoff"] == "unavailable"]
    assert len(unavailable) == 1 and unavailable[0]["counter"] == "aalst"
    queued = [row for row in rows if row["handoff"] == "queued"]
    assert len(queued) == 1 and queued[0]["handoff_outcome"] == "closed"
    started = [row for row in rows if row["dossier_started"]]
    assert [row["dossier_started"] for row in started] == ["terrasvergunning"]
    to_officer = [row for row in rows if row["to_officer"]]
    assert len(to_officer) == 1
    assert to_officer[0]["fell_back"] == 0 and to_officer[0]["text"] is None
    assert all(row["channel"] == "rest" for row in rows)
    assert all(row["response_ms"] is None or row["response_ms"] >= 0 for row in rows)
    answered = [row for row in rows if not row["fell_back"]]
    assert all(row["text"] is None for row in answered)


async def test_a_conversation_belongs_to_the_municipality_it_names(tmp_path):
    rows = await ingest_all(tmp_path, recorded_events())
    first = [row for row in rows if row["intent"] == "request_human" and row["handoff"] is None]
    # "mag ik iemand van het loket aan de lijn?" came before "Aalst": it still counts for Aalst.
    assert first and all(row["nis"] == "41002" for row in first)


async def test_interleaved_conversations_give_the_same_turns(tmp_path):
    sequential = await ingest_all(tmp_path / "a", recorded_events())
    mixed = await ingest_all(tmp_path / "b", interleaved(recorded_events()))
    assert sorted(sequential, key=lambda r: r["turn_key"]) == \
        sorted(mixed, key=lambda r: r["turn_key"])


async def test_no_sender_id_or_personal_data_is_stored(tmp_path):
    config = make_config(tmp_path)
    write_broker_rows(config.events_db, recorded_events())
    consumer = await make_consumer(config)
    await consumer.tick()
    await consumer.db.close()
    with sqlite3.connect(tmp_path / "insights.sqlite3") as db:
        dump = "\n".join(db.iterdump())
    for secret in (*SENDERS, "jan@test.be", "0470123456", "Sofie"):
        assert secret not in dump


async def test_restart_in_the_middle_counts_nothing_twice_and_loses_nothing(tmp_path):
    events = interleaved(recorded_events())
    expected = await ingest_all(tmp_path / "once", events)
    config = make_config(tmp_path / "restart")
    write_broker_rows(config.events_db, events[:40])
    live = lambda: events[39]["timestamp"] + 0.5  # noqa: E731 - stopped while the turn went on
    first = await make_consumer(config, clock=live)
    await first.tick()
    await first.db.close()
    write_broker_rows(config.events_db, events[40:])
    second = await make_consumer(config)  # a new process: same key, position from the DB
    await second.tick()
    await second.tick()
    assert await turns(second.db) == expected
    await second.db.close()


async def test_a_failed_write_is_rolled_back_and_retried(tmp_path, monkeypatch):
    events = recorded_events()
    expected = await ingest_all(tmp_path / "once", events)
    config = make_config(tmp_path / "crash")
    write_broker_rows(config.events_db, events)
    consumer = await make_consumer(config)
    real_write = store.write_outputs
    calls = {"n": 0}

    async def flaky(tx, outputs):
        calls["n"] += 1
        if calls["n"] == 30:
            raise RuntimeError("disk full")
        await real_write(tx, outputs)

    monkeypatch.setattr(store, "write_outputs", flaky)
    with pytest.raises(RuntimeError):
        await consumer.tick()
    assert await turns(consumer.db) == []  # the whole batch was rolled back, position too
    await consumer.tick()
    assert await turns(consumer.db) == expected
    await consumer.db.close()


async def test_redelivered_broker_messages_are_counted_once(tmp_path):
    events = recorded_events()
    expected = await ingest_all(tmp_path / "once", events)
    config = make_config(tmp_path / "broker", source="rabbitmq")
    consumer = await make_consumer(config)
    for index, event in enumerate(events):
        body = json.dumps(event).encode()
        await consumer.handle_message(body)
        if index % 3 == 0:
            await consumer.handle_message(body)  # redelivered: no ack reached the broker
    for event in events[:20]:
        await consumer.handle_message(json.dumps(event).encode())  # a whole batch again
    assert await turns(consumer.db) == expected
    await consumer.db.close()


async def test_a_paused_turn_is_closed_after_a_while(tmp_path):
    events = [e for e in recorded_events() if e["sender_id"] == "owner-gent-1"]
    last_listen = max(i for i, e in enumerate(events) if e.get("name") == "action_listen")
    config = make_config(tmp_path)
    write_broker_rows(config.events_db, events[:last_listen])  # last turn not closed yet
    consumer = await make_consumer(config)
    await consumer.poll_events()
    before = len(await turns(consumer.db))
    await consumer.close_stale_turns(now=events[-1]["timestamp"] + 1)
    assert len(await turns(consumer.db)) == before  # still within the turn's time
    await consumer.close_stale_turns(now=events[-1]["timestamp"] + 60)
    assert len(await turns(consumer.db)) == before + 1
    await consumer.db.close()


async def test_feedback_is_joined_to_the_turn_of_the_message(tmp_path):
    events = recorded_events()
    config = make_config(tmp_path)
    write_broker_rows(config.events_db, events)
    answer = next(e for e in events if e["event"] == "bot" and e["sender_id"] == "owner-gent-1"
                  and (e["data"].get("custom") or {}).get("topic"))
    message = bot_message_id("owner-gent-1", answer["timestamp"], answer["text"])
    votes = FeedbackStore(config.feedback_db)
    votes.record_once(Feedback("owner-gent-1", message, "up", None, None, None))
    votes.record_once(Feedback("owner-aalst-1", "bunknownmessage1", "down", None, "Aalst", None))
    consumer = await make_consumer(config)
    await consumer.tick()
    await consumer.tick()
    async with consumer.db.transaction() as tx:
        rows = await tx.fetchall("SELECT vote, topic, nis, turn_key FROM insights_feedback "
                                 "ORDER BY vote DESC")
    assert [(r["vote"], r["topic"], r["nis"]) for r in rows] == [
        ("up", "terrasvergunning", "44021"), ("down", None, "41002")]
    assert rows[0]["turn_key"] is not None
    await consumer.db.close()


async def test_texts_in_a_form_are_never_kept(tmp_path):
    base = {"sender_id": "owner-x", "metadata": {}}
    events = [
        {**base, "event": "slot", "timestamp": 1.0, "name": "dossier_type",
         "value": "terrasvergunning"},
        {**base, "event": "active_loop", "timestamp": 1.1, "name": "terrasvergunning_form"},
        {**base, "event": "user", "timestamp": 2.0, "text": "Jan Peeters",
         "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.3}},
         "input_channel": "rest"},
        {**base, "event": "action", "timestamp": 2.1, "name": "action_listen"},
    ]
    config = make_config(tmp_path)
    write_broker_rows(config.events_db, events[:3])  # the turn is still open
    consumer = await make_consumer(config)
    await consumer.poll_events()
    with sqlite3.connect(tmp_path / "insights.sqlite3") as db:
        assert "Peeters" not in "\n".join(db.iterdump())
    await consumer.db.close()
    rows = await ingest_all(tmp_path / "all", events)
    # An answer the form takes is not an unanswered question, whatever NLU made of it.
    assert rows[0]["fell_back"] == 0 and rows[0]["text"] is None


async def test_a_clarification_inside_a_form_still_counts_as_a_fallback(tmp_path):
    base = {"sender_id": "owner-y", "metadata": {}}
    events = [
        {**base, "event": "active_loop", "timestamp": 1.0, "name": "terrasvergunning_form"},
        {**base, "event": "user", "timestamp": 2.0, "text": "blub wortel paraplu",
         "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.2}},
         "input_channel": "rest"},
        {**base, "event": "action", "timestamp": 2.1, "name": "action_clarify"},
        {**base, "event": "bot", "timestamp": 2.2, "text": "Bedoel je een van deze?",
         "metadata": {"utter_action": "utter_clarify"}, "data": {}},
        {**base, "event": "action", "timestamp": 2.3, "name": "action_listen"},
    ]
    rows = await ingest_all(tmp_path / "all", events)
    assert rows[0]["fell_back"] == 1 and rows[0]["clarified"] == 1


async def test_only_the_lease_holder_consumes(tmp_path):
    config = make_config(tmp_path)
    first = await make_consumer(config)
    second = await make_consumer(config)
    assert await first.hold_lease(now=100.0)
    assert not await second.hold_lease(now=101.0)
    assert await second.hold_lease(now=100.0 + consumer_module.LEASE_SECONDS + 1)
    await first.db.close()
    await second.db.close()


async def test_consumed_broker_rows_are_deleted_and_ids_stay_valid(tmp_path):
    events = recorded_events()
    expected = await ingest_all(tmp_path / "once", events)
    config = make_config(tmp_path / "queue")
    write_broker_rows(config.events_db, events[:30])
    consumer = await make_consumer(config)
    await consumer.poll_events()
    with sqlite3.connect(config.events_db) as db:
        left = db.execute("SELECT id, sender_id, data FROM events").fetchall()
    assert left == [(30, None, "{}")]  # personal data of forms does not stay in the queue
    write_broker_rows(config.events_db, events[30:])
    await consumer.poll_events()
    await consumer.close_stale_turns(now=0)
    assert await turns(consumer.db) == expected
    await consumer.db.close()


async def test_a_new_events_table_is_read_from_the_start(tmp_path):
    events = recorded_events()
    config = make_config(tmp_path)
    write_broker_rows(config.events_db, events[:30])
    consumer = await make_consumer(config)
    await consumer.poll_events()
    config.events_db.unlink()  # the developer removed var/events.sqlite3
    write_broker_rows(config.events_db, events[30:])
    await consumer.poll_events()  # notices the ids started over
    await consumer.poll_events()
    assert len(await turns(consumer.db)) == 11
    await consumer.db.close()



async def test_consumer_starts_once_its_database_is_reachable(tmp_path, monkeypatch):
    """The database down when the web app starts: the consumer keeps trying to migrate and
    then consumes as usual, instead of dying for the rest of the process's life."""
    import asyncio

    from bot.insights.consumer import Consumer
    from bot.insights.db import open_database

    config = make_config(tmp_path)
    write_broker_rows(config.events_db, recorded_events())
    db = open_database(config.db_url)
    consumer = Consumer(config, db, nis_of_name={"aalst": "41002", "gent": "44021"})
    real_setup, attempts = consumer.setup, []

    async def setup_when_up() -> None:
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionRefusedError("database not up yet")
        await real_setup()

    monkeypatch.setattr(consumer, "setup", setup_when_up)
    task = asyncio.create_task(consumer.run())
    try:
        for _ in range(200):  # retries after 1 s and 2 s, then consumes
            if attempts[2:] and await turns(db):
                break
            await asyncio.sleep(0.1)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert len(attempts) == 3
    assert await turns(db)
    await db.close()
