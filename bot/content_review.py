"""How current the knowledge topics are: the review age of each topic and whether it is past
its tenant's review interval. One place for the rule, used by `make content-report` and by the
officer console's content page."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from bot.catalog import Topic, parse_day

DEFAULT_INTERVAL_MONTHS = 6


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_in_days(topic: Topic, today: date) -> int | None:
    reviewed = parse_day(topic.last_reviewed)
    return (today - reviewed).days if reviewed else None


def is_overdue(topic: Topic, today: date, interval_months: int) -> bool:
    reviewed = parse_day(topic.last_reviewed)
    return reviewed is None or add_months(reviewed, interval_months) < today


@dataclass(frozen=True)
class ReviewStatus:
    topic_id: str
    title: str
    last_reviewed: str | None
    reviewed_by: str | None
    due_on: date | None  # None: never reviewed, so due now
    overdue: bool


def review_statuses(topics: list[Topic], today: date,
                    interval_months: int = DEFAULT_INTERVAL_MONTHS) -> list[ReviewStatus]:
    """Every topic, overdue first (never reviewed before the oldest review)."""
    statuses = []
    for topic in topics:
        reviewed = parse_day(topic.last_reviewed)
        statuses.append(ReviewStatus(
            topic.id, topic.title, topic.last_reviewed, topic.reviewed_by,
            add_months(reviewed, interval_months) if reviewed else None,
            is_overdue(topic, today, interval_months)))
    return sorted(statuses, key=lambda s: (not s.overdue, s.due_on or date.min, s.topic_id))
