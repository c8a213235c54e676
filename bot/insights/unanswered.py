"""Unanswered questions for the officers' review: the masked texts of turns that fell back,
still within the text retention, not reviewed yet, and only of the municipalities the officer
may see (questions from conversations that named no municipality only for teams that serve a
whole province or everything). Deciding on them records the decision in `insights_reviews`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.insights.db import Tx
from bot.insights.grouping import Question

NO_TOPIC = "none"
MAX_QUESTIONS = 2000  # the latest ones; older ones come up once these are reviewed


@dataclass(frozen=True)
class ReviewScope:
    municipalities: frozenset[str] | None  # None = every municipality
    unplaced: bool  # also questions from conversations that named no municipality
    since_ts: float  # the start of the text retention

    def where(self, still_open: bool = True) -> tuple[str, list[object]]:
        clauses = ["t.fell_back = 1", "t.text IS NOT NULL", "t.to_officer = 0", "t.at >= ?"]
        if still_open:
            clauses.append("r.turn_key IS NULL")
        args: list[object] = [self.since_ts]
        places: list[str] = []
        if self.municipalities is None:
            places.append("t.nis IS NOT NULL")
        elif self.municipalities:
            codes = sorted(self.municipalities)
            places.append(f"t.nis IN ({', '.join('?' for _ in codes)})")
            args += codes
        if self.unplaced:
            places.append("t.nis IS NULL")
        clauses.append(f"({' OR '.join(places)})" if places else "1 = 0")
        return " AND ".join(clauses), args


_SELECT = ("SELECT t.turn_key, t.text, t.conversation FROM insights_turns t "
           "LEFT JOIN insights_reviews r ON r.turn_key = t.turn_key WHERE ")
_PROPOSED = ("SELECT t.turn_key, t.text, t.conversation FROM insights_turns t "
             "JOIN insights_reviews p ON p.turn_key = t.turn_key AND p.decision = 'none' WHERE ")


async def open_questions(tx: Tx, scope: ReviewScope,
                         limit: int = MAX_QUESTIONS) -> list[Question]:
    where, args = scope.where()
    rows = await tx.fetchall(_SELECT + where + " ORDER BY t.at DESC LIMIT ?", *args, limit)
    return [Question(str(r["turn_key"]), str(r["text"]), str(r["conversation"])) for r in rows]


async def decide(tx: Tx, scope: ReviewScope, keys: Sequence[str], *, decision: str,
                 topic: str | None, officer_id: int | None, now: float) -> list[Question]:
    """Record the decision for those of `keys` the scope holds and nobody reviewed yet;
    returns those questions (the others are ignored: out of scope, purged, already done)."""
    unique = sorted(set(keys))
    if not unique:
        return []
    where, args = scope.where()
    placeholders = ", ".join("?" for _ in unique)
    rows = await tx.fetchall(_SELECT + where + f" AND t.turn_key IN ({placeholders})",
                             *args, *unique)
    questions = [Question(str(r["turn_key"]), str(r["text"]), str(r["conversation"]))
                 for r in rows]
    for question in questions:
        await tx.execute("INSERT INTO insights_reviews (turn_key, decision, topic, officer_id, "
                         "at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (turn_key) DO NOTHING",
                         question.key, decision, topic, officer_id, now)
    return questions


async def proposals(tx: Tx, scope: ReviewScope, limit: int = MAX_QUESTIONS) -> list[Question]:
    """Questions marked "geen onderwerp" (new-topic proposals), while their text is kept."""
    where, args = scope.where(still_open=False)
    rows = await tx.fetchall(_PROPOSED + where + " ORDER BY t.at DESC LIMIT ?", *args, limit)
    return [Question(str(r["turn_key"]), str(r["text"]), str(r["conversation"])) for r in rows]
