"""The dashboard's figures beyond the summary: questions per hour against the counters' opening
hours, dossiers started / submitted / abandoned per type, feedback per topic and hand-offs per
counter. Same scope, period and filters as `summary`, and the same suppression: a count from
fewer than `min_count` conversations is None (shown as "–"), zero is shown."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Collection
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from bot.counters import Counter
from bot.insights.db import Tx
from bot.insights.summary import Filters, Period, scoped
from bot.opening_hours import opening_status

_TURNS = "FROM insights_turns WHERE day >= ? AND day <= ? AND nis IS NOT NULL{scope}"
_HOURS = "SELECT at, nis, conversation " + _TURNS + " AND to_officer = 0"
_DOSSIERS = ("SELECT conversation, dossier_started, dossier_submitted " + _TURNS +
             " AND (dossier_started IS NOT NULL OR dossier_submitted IS NOT NULL)")
_FEEDBACK = ("SELECT COALESCE(topic, '') AS topic, vote, COUNT(*) AS n, "
             "COUNT(DISTINCT conversation) AS conversations FROM insights_feedback "
             "WHERE day >= ? AND day <= ? AND nis IS NOT NULL{scope} "
             "GROUP BY COALESCE(topic, ''), vote")
_STEPS = ("SELECT conversation, dossier_type, step, at FROM insights_dossier_steps WHERE "  # noqa: S608
          "turn_key IN (SELECT turn_key " + _TURNS + ")")
_WAITS = ("SELECT COALESCE(t.counter, '') AS counter, t.conversation, k.at - t.at AS waited "
          "FROM insights_handoff_taken k JOIN insights_turns t ON t.handoff_ref = k.ref "
          "WHERE t.turn_key IN (SELECT turn_key " + _TURNS + ")")
_HANDOFFS = ("SELECT COALESCE(counter, '') AS counter, handoff, "
             "COALESCE(handoff_outcome, handoff) AS outcome, conversation " + _TURNS +
             " AND handoff IS NOT NULL")


def _shown(count: int, conversations: int, min_count: int) -> int | None:
    return count if count == 0 or conversations >= min_count else None


async def hours(tx: Tx, period: Period, municipalities: Collection[str] | None,
                filters: Filters, min_count: int, zone: str,
                counter_of: Callable[[str], Counter | None]) -> list[dict[str, Any]]:
    """Questions per local hour of the day (0-23): asked while the municipality's counter was
    open, while it was closed, or where no opening hours are known."""
    rows = await tx.fetchall(*_args(_HOURS, municipalities, period, filters))
    local = ZoneInfo(zone)
    counts = [{"open": 0, "closed": 0, "unknown": 0} for _ in range(24)]
    seen: list[set[str]] = [set() for _ in range(24)]
    for row in rows:
        moment = datetime.fromtimestamp(float(row["at"]), timezone.utc).astimezone(local)
        counter = counter_of(str(row["nis"]))
        if counter is None or not counter.has_hours:
            kind = "unknown"
        else:
            kind = "open" if opening_status(counter, moment).open_now else "closed"
        counts[moment.hour][kind] += 1
        seen[moment.hour].add(str(row["conversation"]))
    return [{"hour": hour, **{kind: _shown(n, len(seen[hour]), min_count)
                              for kind, n in counts[hour].items()}} for hour in range(24)]


async def dossiers(tx: Tx, period: Period, municipalities: Collection[str] | None,
                   filters: Filters, min_count: int) -> list[dict[str, Any]]:
    """Per dossier type: conversations that started the form, that submitted it, and that
    started it in the period without submitting it (abandoned)."""
    rows = await tx.fetchall(*_args(_DOSSIERS, municipalities, period, filters))
    started: dict[str, set[str]] = {}
    submitted: dict[str, set[str]] = {}
    for row in rows:
        if row["dossier_started"]:
            started.setdefault(str(row["dossier_started"]), set()).add(str(row["conversation"]))
        if row["dossier_submitted"]:
            submitted.setdefault(str(row["dossier_submitted"]), set()).add(
                str(row["conversation"]))
    last_step: dict[tuple[str, str], tuple[float, str]] = {}
    for row in await tx.fetchall(*_args(_STEPS, municipalities, period, filters)):
        key = (str(row["dossier_type"]), str(row["conversation"]))
        if key not in last_step or float(row["at"]) >= last_step[key][0]:
            last_step[key] = (float(row["at"]), str(row["step"]))
    result = []
    for kind in sorted(set(started) | set(submitted)):
        begun, done = started.get(kind, set()), submitted.get(kind, set())
        abandoned = begun - done
        stops: dict[str, set[str]] = {}
        for conversation in abandoned:
            if (kind, conversation) in last_step:
                stops.setdefault(last_step[(kind, conversation)][1], set()).add(conversation)
        result.append({"type": kind, "started": _shown(len(begun), len(begun), min_count),
                       "submitted": _shown(len(done), len(done), min_count),
                       "abandoned": _shown(len(abandoned), len(abandoned), min_count),
                       "stopped_at": {step: _shown(len(c), len(c), min_count)
                                      for step, c in sorted(stops.items())}})
    return result


async def feedback_by_topic(tx: Tx, period: Period, municipalities: Collection[str] | None,
                            filters: Filters, min_count: int) -> list[dict[str, Any]]:
    """Thumbs up and down per topic of the answer voted on ("" = no topic)."""
    rows = await tx.fetchall(*_args(_FEEDBACK, municipalities, period, filters))
    by_topic: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["vote"] not in ("up", "down"):
            continue
        entry = by_topic.setdefault(str(row["topic"]), {"topic": str(row["topic"]), "up": 0,
                                                        "down": 0})
        entry[row["vote"]] = _shown(int(row["n"]), int(row["conversations"]), min_count)
    return sorted(by_topic.values(), key=lambda e: e["topic"])


async def handoffs(tx: Tx, period: Period, municipalities: Collection[str] | None,
                   filters: Filters, min_count: int) -> list[dict[str, Any]]:
    """Per counter: conversations handed over (queued), call-backs asked, hand-offs nobody could
    take (no officer available), how the queued ones ended (the hand-off's last status), and
    the median time until an officer joined (seconds; None below `min_count` joins)."""
    rows = await tx.fetchall(*_args(_HANDOFFS, municipalities, period, filters))
    waits: dict[str, dict[str, float]] = {}  # counter -> conversation -> seconds until joined
    for row in await tx.fetchall(*_args(_WAITS, municipalities, period, filters)):
        waits.setdefault(str(row["counter"]), {})[str(row["conversation"])] = \
            max(0.0, float(row["waited"]))
    per: dict[str, dict[str, set[str]]] = {}
    for row in rows:
        entry = per.setdefault(str(row["counter"]), {})
        entry.setdefault(str(row["handoff"]), set()).add(str(row["conversation"]))
        entry.setdefault(f"outcome:{row['outcome']}", set()).add(str(row["conversation"]))
    result = []
    for counter in sorted(per):
        entry = per[counter]
        item: dict[str, Any] = {"counter": counter}
        for kind in ("queued", "callback", "unavailable"):
            n = len(entry.get(kind, set()))
            item[kind] = _shown(n, n, min_count)
        item["outcomes"] = {key.removeprefix("outcome:"): _shown(len(v), len(v), min_count)
                            for key, v in sorted(entry.items()) if key.startswith("outcome:")}
        waited = waits.get(counter, {})
        item["median_wait_seconds"] = round(statistics.median(waited.values())) \
            if waited and len(waited) >= min_count else None
        result.append(item)
    return result


def _args(template: str, municipalities: Collection[str] | None, period: Period,
          filters: Filters) -> list[Any]:
    sql, args = scoped(template, municipalities, period, filters)
    return [sql, *args]


_CONVERSATIONS = ("SELECT nis, conversation, topic, fell_back, handoff, dossier_started, "
                  "dossier_submitted " + _TURNS + " AND to_officer = 0")
NOTABLE_POINTS = 10.0  # a rate this many percentage points above the median is flagged


def _percent(part: int, whole: int, min_count: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole and whole >= min_count else None


async def comparison(tx: Tx, period: Period, municipalities: Collection[str] | None,
                     filters: Filters, min_count: int,
                     names: Callable[[str], str | None]) -> dict[str, list[dict[str, Any]]]:
    """Per topic: the share of conversations about it that also fell back or were handed over;
    per dossier type: the share of started forms not submitted. Each for the chosen
    municipalities together, beside the median over every municipality (each with at least
    `min_count` conversations on it), flagged when `NOTABLE_POINTS` above it, and the chosen
    municipality with the lowest share (good practice; only among the chosen ones)."""
    rows = await tx.fetchall(*_args(_CONVERSATIONS, None, period, filters))
    chosen = None if municipalities is None else frozenset(municipalities)
    topics: dict[tuple[str, str], dict[str, set[str]]] = {}
    forms: dict[tuple[str, str], dict[str, set[str]]] = {}
    fell: set[str] = set()
    handed: set[str] = set()
    submitted: set[tuple[str, str]] = set()
    for row in rows:
        nis, conversation = str(row["nis"]), str(row["conversation"])
        if row["fell_back"]:
            fell.add(conversation)
        if row["handoff"] in ("queued", "callback"):
            handed.add(conversation)
        if row["topic"]:
            topics.setdefault((nis, str(row["topic"])), {"all": set()})["all"].add(conversation)
        if row["dossier_started"]:
            forms.setdefault((nis, str(row["dossier_started"])), {"all": set()})["all"].add(
                conversation)
        if row["dossier_submitted"]:
            submitted.add((conversation, str(row["dossier_submitted"])))
    for entry in topics.values():
        entry["fallbacks"] = entry["all"] & fell
        entry["handoffs"] = entry["all"] & handed
    for (_nis, kind), entry in forms.items():
        entry["abandoned"] = {c for c in entry["all"] if (c, kind) not in submitted}
    return {"topics": _compare(topics, ("fallbacks", "handoffs"), chosen, min_count, names),
            "dossiers": _compare(forms, ("abandoned",), chosen, min_count, names)}


def _compare(groups: dict[tuple[str, str], dict[str, set[str]]], measures: tuple[str, ...],
             chosen: frozenset[str] | None, min_count: int,
             names: Callable[[str], str | None]) -> list[dict[str, Any]]:
    result = []
    for subject in sorted({key for _nis, key in groups}):
        per_nis = {nis: entry for (nis, key), entry in groups.items() if key == subject}
        mine = [entry for nis, entry in per_nis.items() if chosen is None or nis in chosen]
        if not mine:
            continue
        total = set().union(*(entry["all"] for entry in mine))
        item: dict[str, Any] = {"subject": subject,
                                "conversations": _shown(len(total), len(total), min_count)}
        for measure in measures:
            own = _percent(len(set().union(*(e[measure] for e in mine))), len(total), min_count)
            rates = {nis: rate for nis, entry in per_nis.items()
                     if (rate := _percent(len(entry[measure]), len(entry["all"]),
                                          min_count)) is not None}
            median = statistics.median(rates.values()) if rates else None
            candidates = {nis: rate for nis, rate in rates.items()
                          if chosen is None or nis in chosen}
            best = min(candidates, key=lambda nis: (candidates[nis], nis)) \
                if len(candidates) > 1 else None
            item[measure] = {"rate": own, "median": median,
                             "notable": own is not None and median is not None
                             and own >= median + NOTABLE_POINTS,
                             "best": names(best) or best if best else None}
        result.append(item)
    return result
