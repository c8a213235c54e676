"""The feedback store: one vote per answer, scores per topic for the insights."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.feedback import Feedback, FeedbackStore


def vote(message: str, value: str, topic: str | None = "terrasvergunning") -> Feedback:
    return Feedback("conversation-1234567", message, value, topic, "Aalst",  # type: ignore[arg-type]
                    "oost-vlaanderen")


def test_voting_again_on_an_answer_replaces_the_vote(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "var" / "feedback.sqlite3")
    store.record(vote("m1", "up"))
    store.record(vote("m1", "down"))
    [only] = store.all()
    assert only.vote == "down" and only.at


def test_scores_put_the_most_disliked_topics_first(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    for message, value, topic in [("a", "up", "btw_registratie"), ("b", "down", "nachtwinkel"),
                                  ("c", "down", "nachtwinkel"), ("d", "up", "nachtwinkel")]:
        store.record(vote(message, value, topic))
    scores = [(s.topic, s.up, s.down) for s in store.scores()]
    assert scores == [("nachtwinkel", 1, 2), ("btw_registratie", 1, 0)]


def test_only_the_vote_and_its_context_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    FeedbackStore(path).record(vote("m1", "up"))
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(feedback)")]
    assert columns == ["conversation_id", "message_id", "vote", "topic", "municipality",
                       "tenant", "at"]
