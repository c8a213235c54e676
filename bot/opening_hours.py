"""Is a counter open now, until when, and when does it open next (Europe/Brussels wall time,
closed days and public holidays included); and the Dutch sentence that says so, built from the
phrases in content/locale.yml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.counters import Counter

LOCALE_PATH = Path(__file__).resolve().parent.parent / "content" / "locale.yml"
SEARCH_DAYS = 31  # look this far ahead for the next opening
CLOSING_SOON = timedelta(minutes=15)


@dataclass(frozen=True)
class OpeningStatus:
    open_now: bool
    closes_at: datetime | None  # when open: end of the current opening period
    next_open: datetime | None  # when closed: start of the next opening period
    hours_known: bool = True  # False when the counter has no opening hours configured
    closing_soon: bool = False  # open, but closes within CLOSING_SOON


def opening_status(counter: Counter, now: datetime) -> OpeningStatus:
    """`now` may be naive (taken as Brussels wall time) or aware (converted)."""
    zone = ZoneInfo(counter.timezone)
    local = now.replace(tzinfo=zone) if now.tzinfo is None else now.astimezone(zone)
    if not counter.has_hours:
        return OpeningStatus(False, None, None, hours_known=False)
    for start, end in _periods(counter, local.date(), zone, days=1):
        if start <= local < end:
            return OpeningStatus(True, end, None, closing_soon=end - local <= CLOSING_SOON)
    upcoming = (
        start for start, _ in _periods(counter, local.date(), zone, SEARCH_DAYS) if start > local
    )
    return OpeningStatus(False, None, next(upcoming, None))


def _periods(
    counter: Counter, first: date, zone: ZoneInfo, days: int
) -> list[tuple[datetime, datetime]]:
    periods = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        if day in counter.closed_days:
            continue
        for start, end in sorted(counter.opening_hours.get(day.weekday(), ())):
            periods.append(
                (datetime.combine(day, start, tzinfo=zone), datetime.combine(day, end, tzinfo=zone))
            )
    return periods


def load_locale(path: Path = LOCALE_PATH) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    return data


def format_time(moment: datetime) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def format_date(day: date, locale: Mapping[str, Any]) -> str:
    """ "maandag 30 november" """
    weekday = locale["weekdays"][day.weekday()]
    month = locale["months"][day.month - 1]
    return f"{weekday} {day.day} {month}"


def describe_opening(
    status: OpeningStatus, locale: Mapping[str, Any], now: datetime | None = None
) -> str:
    """The Dutch sentence for a status. With `now`, "vandaag" and "morgen" replace the date."""
    phrases = locale["opening_status"]
    if not status.hours_known:
        return str(phrases["no_hours"])
    if status.open_now and status.closes_at is not None:
        key = "closing_soon" if status.closing_soon else "open_until"
        return str(phrases[key]).format(time=format_time(status.closes_at))
    if status.next_open is None:
        return str(phrases["closed_no_next"])
    opens = status.next_open
    if now is not None:
        today = (now if now.tzinfo is None else now.astimezone(opens.tzinfo)).date()
        if opens.date() == today:
            return str(phrases["closed_reopens_today"]).format(time=format_time(opens))
        if opens.date() == today + timedelta(days=1):
            return str(phrases["closed_reopens_tomorrow"]).format(time=format_time(opens))
    return str(phrases["closed_reopens_on"]).format(
        date=format_date(opens.date(), locale), time=format_time(opens)
    )
