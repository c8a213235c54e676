"""Dutch dates and periods resolved against `today` (the date in Europe/Brussels).

Choices (the Rasa layer explains them to the user):
* Results must lie in the future. Today is refused by default (`date_today_not_allowed`): a
  permit is never granted for the same day; pass `allow_today=True` where it makes sense.
* A date without a year that is already past means next year ("15 juni" in November).
* "vrijdag" and "volgende vrijdag" both mean the first Friday after today; "vrijdag volgende
  week" means the Friday of next calendar week.
* "volgend weekend" / "dit weekend" is the first Saturday after today plus the Sunday after it.
* An end without a year takes the start's year, or the next year when its month comes earlier
  ("15 december tot 15 januari"); "van 1 tot 3 mei" takes month and year from the end.
* Dates more than `MAX_YEARS_AHEAD` years ahead are refused as probable typing mistakes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.validators.dates import (
    Point,
    normalise,
    parse_point,
    weekday_after,
    weekday_in_next_week,
)
from bot.validators.result import ErrorCode, Invalid, Valid, ValidationResult

MAX_YEARS_AHEAD = 5
_SEPARATOR = re.compile(r"\s*(?:\btot en met\b|\bt/m\b|\bt\.e\.m\.?|\btem\b|\btot\b|[-–—])\s*")
_BETWEEN = re.compile(r"tussen\s+(?P<a>.+?)\s+en\s+(?P<b>.+)")
_FROM = re.compile(r"^(?:van|vanaf)\s+")
_WEEKEND = re.compile(r"(?:het\s+)?(?:volgend|volgende|komend|komende|dit|deze)?\s*weekend")
_NEXT_WEEK = re.compile(r"(?:volgende|komende) week")


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


class _Refused(Exception):
    def __init__(self, code: ErrorCode) -> None:
        super().__init__(code)
        self.code = code


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _Refused("date_invalid") from exc


def _check_weekday(point: Point, resolved: date) -> date:
    if point.weekday is not None and resolved.weekday() != point.weekday:
        raise _Refused("date_weekday_mismatch")
    return resolved


def _resolve_start(point: Point, today: date, end: Point | None) -> date:
    if point.offset is not None:
        return today + timedelta(days=point.offset)
    if point.day is None or point.month is None:
        assert point.weekday is not None
        if point.next_week:
            return weekday_in_next_week(today, point.weekday)
        return weekday_after(today, point.weekday)
    year = point.year
    if year is None and end is not None and end.year is not None and end.month is not None:
        before_end = (point.month, point.day) <= (end.month, end.day or 31)
        year = end.year if before_end else end.year - 1
    if year is not None:
        return _check_weekday(point, _make_date(year, point.month, point.day))
    for candidate_year in range(today.year, today.year + 9):  # 29 February needs a leap year
        try:
            candidate = date(candidate_year, point.month, point.day)
        except ValueError:
            continue
        if candidate >= today:
            return _check_weekday(point, candidate)
    raise _Refused("date_invalid")


def _resolve_end(point: Point, start: date, today: date) -> date:
    if point.offset is not None:
        return today + timedelta(days=point.offset)
    if point.day is None or point.month is None:
        assert point.weekday is not None
        if point.next_week:
            return weekday_in_next_week(today, point.weekday)
        return weekday_after(start, point.weekday, inclusive=True)
    year = point.year
    if year is None:
        year = start.year + 1 if point.month < start.month else start.year
    return _check_weekday(point, _make_date(year, point.month, point.day))


def _checked(period: Period, today: date, allow_today: bool) -> ValidationResult[Period]:
    if period.start < today:
        return Invalid("date_in_past")
    if period.start == today and not allow_today:
        return Invalid("date_today_not_allowed")
    if period.end < period.start:
        return Invalid("period_end_before_start")
    if period.end.year > today.year + MAX_YEARS_AHEAD:
        return Invalid("date_too_far")
    return Valid(period)


def _named_period(text: str, today: date) -> Period | None:
    if _WEEKEND.fullmatch(text):
        saturday = weekday_after(today, 5)
        return Period(saturday, saturday + timedelta(days=1))
    if _NEXT_WEEK.fullmatch(text):
        monday = weekday_in_next_week(today, 0)
        return Period(monday, monday + timedelta(days=6))
    return None


def _splits(text: str) -> Iterator[tuple[str, str]]:
    if match := _BETWEEN.fullmatch(text):
        yield match["a"], match["b"]
    body = _FROM.sub("", text)
    for match in _SEPARATOR.finditer(body):
        left, right = body[: match.start()], body[match.end():]
        if left and right:
            yield left, right


def _resolve_range(first: Point, last: Point, today: date) -> Period:
    if last.day_only:
        raise _Refused("date_unrecognised")
    if first.day_only:
        if last.month is None:
            raise _Refused("date_unrecognised")
        first = replace(first, month=last.month, year=last.year)
        if last.year is None:  # "van 1 tot 3 mei": both in the same (rolled) month
            start = _resolve_start(first, today, None)
            return Period(start, _resolve_end(replace(last, year=start.year), start, today))
    start = _resolve_start(first, today, last)
    return Period(start, _resolve_end(last, start, today))


def parse_period(text: str, today: date, *, allow_today: bool = False) -> ValidationResult[Period]:
    """"1/7 tot 31/8", "van 1 tot 3 mei", "tussen 2 en 5 augustus", "volgend weekend", or a
    single date (then start == end)."""
    value = normalise(text)
    if not value:
        return Invalid("date_empty")
    try:
        named = _named_period(value, today)
        if named is not None:
            return _checked(named, today, allow_today)
        single = parse_point(_FROM.sub("", value))
        if single is not None and not single.day_only:
            start = _resolve_start(single, today, None)
            return _checked(Period(start, start), today, allow_today)
        for left, right in _splits(value):
            first, last = parse_point(left), parse_point(right)
            if first is not None and last is not None:
                return _checked(_resolve_range(first, last, today), today, allow_today)
    except _Refused as refused:
        return Invalid(refused.code)
    return Invalid("date_unrecognised")


def parse_date(text: str, today: date, *, allow_today: bool = False) -> ValidationResult[date]:
    """One day: "morgen", "vrijdag", "15 juni", "15/6", "15-06-2027", "zaterdag 14 juni"."""
    value = normalise(text)
    point = parse_point(value) if value else None
    if point is None or point.day_only:
        return Invalid("date_empty" if not value else "date_unrecognised")
    try:
        start = _resolve_start(point, today, None)
    except _Refused as refused:
        return Invalid(refused.code)
    result = _checked(Period(start, start), today, allow_today)
    return result if isinstance(result, Invalid) else Valid(start)
