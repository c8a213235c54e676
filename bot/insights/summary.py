"""`summary`: the figures of `GET /api/insights/summary` per municipality, with every count
behind fewer than `min_count` conversations reported as None (null), so no owner can be
recognised.

Zero is reported as 0 (it identifies no one). All figures count distinct conversations in
the period (local days, inclusive), except
`dossiers_submitted` (distinct dossiers) and `feedback` (votes); those are suppressed when they
come from fewer than `min_count` conversations. A conversation belongs to the municipality it
named (its earlier turns too); messages written to an officer during a hand-off do not count as
questions."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.insights.db import Tx


@dataclass(frozen=True)
class Period:
    start: date
    end: date


# `{scope}` becomes " AND nis IN (?, ?, …)" (placeholders only) or nothing.
_TURNS = "FROM insights_turns WHERE day >= ? AND day <= ? AND nis IS NOT NULL{scope}"
_PER_MUNICIPALITY = (
    "SELECT nis, COUNT(DISTINCT conversation) AS conversations, "
    "COUNT(DISTINCT CASE WHEN fell_back = 1 THEN conversation END) AS fallbacks, "
    "COUNT(DISTINCT CASE WHEN handoff IN ('queued', 'callback') THEN conversation END) "
    "AS handoffs, "
    "COUNT(DISTINCT CASE WHEN dossier_submitted IS NOT NULL THEN "
    "COALESCE(dossier_ref, turn_key) END) AS dossiers, "
    "COUNT(DISTINCT CASE WHEN dossier_submitted IS NOT NULL THEN conversation END) "
    "AS dossier_conversations " + _TURNS + " GROUP BY nis")
_TOPICS = ("SELECT nis, topic, COUNT(DISTINCT conversation) AS n " + _TURNS +
           " AND topic IS NOT NULL AND to_officer = 0 GROUP BY nis, topic")
_VOTES = ("SELECT nis, vote, COUNT(*) AS n, COUNT(DISTINCT conversation) AS conversations "
          "FROM insights_feedback WHERE day >= ? AND day <= ? AND nis IS NOT NULL{scope} "
          "GROUP BY nis, vote")


def _placeholders(values: Collection[str]) -> str:
    return ", ".join("?" for _ in values)


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters beyond period and municipality: conversations on a channel,
    conversations that asked about a topic. The API uses none."""
    channel: str | None = None
    topic: str | None = None

    def turns(self) -> tuple[str, list[Any]]:
        """Conditions on `conversation` (turns and votes alike: votes carry no channel)."""
        sql, args = "", list[Any]()
        for column, value in (("channel", self.channel), ("topic", self.topic)):
            if value:
                sql += (" AND conversation IN (SELECT conversation FROM insights_turns "  # noqa: S608
                        f"WHERE {column} = ?)")
                args.append(value)
        return sql, args


NO_FILTERS = Filters()


def scoped(template: str, municipalities: Collection[str] | None, period: Period,
           filters: Filters) -> tuple[str, list[Any]]:
    """`template` with its `{scope}` filled (municipalities, then the filters) and its args."""
    scope = "" if municipalities is None else f" AND nis IN ({_placeholders(municipalities)})"
    extra, extra_args = filters.turns()
    return (template.replace("{scope}", scope + extra),
            [period.start.isoformat(), period.end.isoformat(), *(municipalities or ()),
             *extra_args])


async def summary(tx: Tx, period: Period, municipalities: Collection[str] | None,
                  names: Callable[[str], str | None], min_count: int,
                  always: Collection[str] = (), filters: Filters = NO_FILTERS
                  ) -> dict[str, Any]:
    """`municipalities`: the NIS codes the caller may see (None = all). Municipalities without
    data in the period are left out, except those in `always` (an explicit filter)."""
    rows = await tx.fetchall(*_with(_PER_MUNICIPALITY, municipalities, period, filters))
    topics = await tx.fetchall(*_with(_TOPICS, municipalities, period, filters))
    votes = await tx.fetchall(*_with(_VOTES, municipalities, period, filters))

    def shown(count: int, conversations: int) -> int | None:
        """Zero identifies no one and is shown; 1 .. min_count-1 conversations are not."""
        return int(count) if count == 0 or conversations >= min_count else None

    by_nis: dict[str, dict[str, Any]] = {}

    def entry(nis: str) -> dict[str, Any]:
        if nis not in by_nis:
            by_nis[nis] = {"nis": nis, "name": names(nis), "conversations": 0, "topics": {},
                           "fallbacks": 0, "handoffs": 0, "dossiers_submitted": 0,
                           "feedback": {"up": 0, "down": 0}}
        return by_nis[nis]

    for nis in always:
        entry(nis)
    for row in rows:
        item = entry(row["nis"])
        item["conversations"] = shown(row["conversations"], row["conversations"])
        item["fallbacks"] = shown(row["fallbacks"], row["fallbacks"])
        item["handoffs"] = shown(row["handoffs"], row["handoffs"])
        item["dossiers_submitted"] = shown(row["dossiers"], row["dossier_conversations"])
    for row in sorted(topics, key=lambda r: (-int(r["n"]), str(r["topic"]))):
        entry(row["nis"])["topics"][row["topic"]] = shown(row["n"], row["n"])
    for row in votes:
        if row["vote"] in ("up", "down"):
            entry(row["nis"])["feedback"][row["vote"]] = shown(row["n"], row["conversations"])
    return {"from": period.start.isoformat(), "to": period.end.isoformat(),
            "municipalities": [by_nis[nis] for nis in sorted(by_nis)]}


async def weekly(tx: Tx, period: Period, municipalities: Collection[str] | None,
                 min_count: int, filters: Filters = NO_FILTERS) -> list[dict[str, Any]]:
    """Conversations per ISO week (`2026-W48`) and municipality, suppressed like `summary`."""
    rows = await tx.fetchall(*_with(_DAYS, municipalities, period, filters))
    seen: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        year, week, _ = date.fromisoformat(row["day"]).isocalendar()
        seen.setdefault((f"{year}-W{week:02d}", row["nis"]), set()).add(row["conversation"])
    return [{"week": week, "nis": nis,
             "conversations": len(c) if len(c) >= min_count else None}
            for (week, nis), c in sorted(seen.items())]


_DAYS = ("SELECT DISTINCT day, nis, conversation " + _TURNS)


def _with(template: str, municipalities: Collection[str] | None, period: Period,
          filters: Filters) -> list[Any]:
    sql, args = scoped(template, municipalities, period, filters)
    return [sql, *args]

