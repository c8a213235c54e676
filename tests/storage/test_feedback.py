"""The answer feedback on the storage layer, on SQLite and PostgreSQL: the first vote counts,
scores per topic, erasure and retention."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.feedback import Feedback, FeedbackStore, Vote


def vote(message: str, value: Vote, at: str = "2026-11-23T10:00:00+00:00",
         topic: str = "terrasvergunning") -> Feedback:
    return Feedback("conv-1", message, value, topic, "Gent", "oost-vlaanderen", at=at)


def test_votes_are_kept_once_and_scored_per_topic(url: str) -> None:
    store = FeedbackStore(url)
    try:
        assert store.record_once(vote("m1", "down")) == "new"
        assert store.record_once(vote("m1", "down")) == "same"
        assert store.record_once(vote("m1", "up")) == "conflict"
        assert store.record_once(vote("m2", "up")) == "new"
        assert store.record_once(vote("m3", "up", topic="btw")) == "new"
        scores = store.scores()
        assert [(s.topic, s.up, s.down) for s in scores] == [("terrasvergunning", 1, 1),
                                                            ("btw", 1, 0)]
        assert [f.vote for f in store.all()] == ["down", "up", "up"]
    finally:
        store.close()


def test_erasure_and_retention_delete_votes(url: str) -> None:
    store = FeedbackStore(url)
    try:
        store.record(vote("old", "up", at="2025-01-01T00:00:00+00:00"))
        store.record(vote("new", "down"))
        cutoff = datetime(2026, 1, 1, tzinfo=timezone.utc)
        assert store.purge_before(cutoff) == 1
        assert [f.message_id for f in store.all()] == ["new"]
        assert store.erase_conversation("conv-1") == 1
        assert store.all() == []
    finally:
        store.close()


def test_votes_are_read_by_the_time_they_were_cast(url: str) -> None:
    """What the insights consumer reads, on both databases (PostgreSQL has no rowid)."""
    store = FeedbackStore(url)
    try:
        store.record(vote("m2", "up", at="2026-11-23T10:00:05+00:00"))
        store.record(vote("m1", "down", at="2026-11-23T10:00:00+00:00"))
        store.record(vote("m3", "up", at="2026-11-23T10:00:09+00:00"))
        since = datetime(2026, 11, 23, 10, 0, 5, tzinfo=timezone.utc).timestamp()
        rows = store.since(since, limit=10)
        assert [(row[0], row[2], row[3]) for row in rows] == [(None, "m2", "up"),
                                                              (None, "m3", "up")]
        assert [row[2] for row in store.since(0, limit=1)] == ["m1"]  # oldest first
    finally:
        store.close()
