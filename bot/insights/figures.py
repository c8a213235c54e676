"""Everything the insights page, its CSV and the monthly report show for one selection
(period, municipality, counter, channel, topic) within what the officer's counters may see."""

from __future__ import annotations

import statistics
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.catalog import Catalog
from bot.insights import details
from bot.insights.api import InsightsApi
from bot.insights.summary import Filters, Period, summary, weekly


class OutOfScope(Exception):
    """The selection names a municipality or counter the officer may not see."""


@dataclass(frozen=True)
class Selection:
    period: Period
    nis: str | None = None
    counter: str | None = None
    filters: Filters = field(default_factory=Filters)

    def query(self) -> dict[str, str]:
        """The selection as query parameters (for links to the CSV and the report)."""
        values = {"from": self.period.start.isoformat(), "to": self.period.end.isoformat(),
                  "nis": self.nis, "counter": self.counter, "channel": self.filters.channel,
                  "topic": self.filters.topic}
        return {k: v for k, v in values.items() if v}


def rate(part: int | None, whole: int | None) -> float | None:
    """A share in percent, only when both counts are shown."""
    if part is None or not whole:
        return None
    return round(100.0 * part / whole, 1)


def median_rates(municipalities: list[dict[str, Any]]) -> dict[str, float | None]:
    """Median fallback and hand-off rate over the municipalities with shown counts (the
    comparison a municipality sees beside its own figures)."""
    result: dict[str, float | None] = {}
    for key in ("fallbacks", "handoffs"):
        values = sorted(v for m in municipalities
                        if (v := rate(m[key], m["conversations"])) is not None)
        result[key] = statistics.median(values) if values else None
    return result


def counter_options(api: InsightsApi, allowed: frozenset[str] | None) -> list[str]:
    """Counters the officer can filter on: those serving some municipality the officer sees."""
    found = []
    for counter_id in sorted(api.scope.counters):
        served = api.scope.served_by(counter_id)
        if allowed is None or (served is not None and served & allowed):
            found.append(counter_id)
    return found


def chosen_municipalities(api: InsightsApi, allowed: frozenset[str] | None,
                          selection: Selection) -> frozenset[str] | None:
    chosen = allowed
    if selection.nis is not None:
        if selection.nis not in api.scope.names or (allowed is not None and
                                                    selection.nis not in allowed):
            raise OutOfScope(selection.nis)
        chosen = frozenset({selection.nis})
    if selection.counter is not None:
        if selection.counter not in counter_options(api, allowed):
            raise OutOfScope(selection.counter)
        served = api.scope.served_by(selection.counter)
        if served is not None:
            chosen = served if chosen is None else chosen & served
    return chosen


def _sorted(codes: Collection[str] | None) -> list[str] | None:
    """None = every municipality; an empty scope matches nothing (never an empty `IN ()`)."""
    if codes is None:
        return None
    return sorted(codes) or [NO_MUNICIPALITY]


NO_MUNICIPALITY = "-"


def topic_titles(api: InsightsApi) -> dict[str, str]:
    """Topic id -> title, sorted by title (dossier types share the ids of their topics)."""
    catalog = Catalog.load(api.config.content_dir / "topics")
    titles = {topic_id: topic.title for topic_id in catalog.ids()
              if (topic := catalog.get(topic_id)) is not None}
    return dict(sorted(titles.items(), key=lambda item: item[1].casefold()))


async def collect(api: InsightsApi, counters: Sequence[str],
                  selection: Selection) -> dict[str, Any]:
    """The figures of the selection: `summary` (per municipality, with the tenant's median),
    `weekly`, `hours`, `dossiers`, `feedback_topics`, `handoffs`, `comparison` (per topic and
    dossier type beside the median), and the filter `options`."""
    allowed = api.scope.municipalities(counters)
    chosen = chosen_municipalities(api, allowed, selection)
    period, filters, low = selection.period, selection.filters, api.config.min_count
    names = api.scope.names.get
    scope = _sorted(chosen)
    async with api.db.transaction() as tx:
        overview = await summary(tx, period, _sorted(allowed), names, low)
        figures = await summary(tx, period, scope, names, low,
                                always=(selection.nis,) if selection.nis else (),
                                filters=filters)
        everyone = await summary(tx, period, None, names, low, filters=filters)
        series = await weekly(tx, period, scope, low, filters)
        hours = await details.hours(tx, period, scope, filters, low, api.config.timezone,
                                    api.scope.counter_of)
        dossiers = await details.dossiers(tx, period, scope, filters, low)
        feedback = await details.feedback_by_topic(tx, period, scope, filters, low)
        handoffs = await details.handoffs(tx, period, scope, filters, low)
        compared = await details.comparison(tx, period, scope, filters, low, names)
        channels = await tx.fetchall("SELECT DISTINCT channel FROM insights_turns WHERE "
                                     "channel IS NOT NULL ORDER BY channel")
    municipalities = [m["nis"] for m in overview["municipalities"]]
    if selection.nis and selection.nis not in municipalities:
        municipalities.append(selection.nis)
    return {"summary": {**figures, "median": median_rates(everyone["municipalities"])},
            "weekly": series, "hours": hours, "dossiers": dossiers, "feedback_topics": feedback,
            "handoffs": handoffs, "comparison": compared,
            "options": {"municipalities": municipalities,
                        "counters": counter_options(api, allowed),
                        "channels": [str(r["channel"]) for r in channels]}}
