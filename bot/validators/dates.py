"""Tokenising Dutch date expressions into unresolved points ("15 juni", "vrijdag", "morgen").

Resolution against `today` (year roll-over, future check) lives in `periods.py`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = {
    "maandag": 0, "ma": 0, "dinsdag": 1, "di": 1, "woensdag": 2, "wo": 2, "donderdag": 3,
    "do": 3, "vrijdag": 4, "vr": 4, "zaterdag": 5, "za": 5, "zondag": 6, "zo": 6,
}
MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "febr": 2, "maart": 3, "mrt": 3, "maa": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8,
    "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}
RELATIVE_DAYS = {"vandaag": 0, "morgen": 1, "overmorgen": 2}

_WD = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORDINAL = r"(?:ste|de|e)?"
_WEEKDAY_ONLY = re.compile(
    rf"(?:(?:volgende|komende|aanstaande|deze)\s+)?(?P<wd>{_WD})"
    rf"(?P<nw>\s+(?:volgende|komende)\s+week)?"
)
_DAY_MONTH_NAME = re.compile(
    rf"(?:(?P<wd>{_WD})\s+)?(?P<d>\d{{1,2}}){_ORDINAL}\s*(?P<m>{_MON})\.?(?:\s+(?P<y>\d{{4}}))?"
)
_NUMERIC = re.compile(
    rf"(?:(?P<wd>{_WD})\s+)?(?P<d>\d{{1,2}})\s*(?P<sep>[/.-])\s*(?P<m>\d{{1,2}})"
    r"(?:\s*(?P=sep)\s*(?P<y>\d{4}|\d{2}))?"
)
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_DAY_ONLY = re.compile(rf"(?P<d>\d{{1,2}}){_ORDINAL}")
_FILLER = re.compile(r"^(?:op|de|den)\s+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Point:
    """One side of a period before resolution. Exactly one shape is filled in:
    `offset` (vandaag/morgen), `weekday` alone, or `day` (+ `month`, + `year`)."""

    offset: int | None = None
    weekday: int | None = None
    next_week: bool = False
    day: int | None = None
    month: int | None = None
    year: int | None = None

    @property
    def day_only(self) -> bool:
        return self.day is not None and self.month is None


def today_in_brussels(now: datetime | None = None) -> date:
    """The calendar date in Belgium; pass the result as `today` to the parsers."""
    zone = ZoneInfo("Europe/Brussels")
    return (now.astimezone(zone) if now else datetime.now(zone)).date()


def normalise(text: str) -> str:
    value = _SPACE.sub(" ", (text or "").lower().replace("’", "'")).strip()
    return value.strip(" ,;!?.")


def _year(raw: str | None) -> int | None:
    if raw is None:
        return None
    return 2000 + int(raw) if len(raw) == 2 else int(raw)


def _weekday(raw: str | None) -> int | None:
    return WEEKDAYS[raw] if raw else None


def parse_point(text: str) -> Point | None:
    """Parse one date expression (already normalised); None when it is not a date."""
    value = _FILLER.sub("", text.strip())
    if value in RELATIVE_DAYS:
        return Point(offset=RELATIVE_DAYS[value])
    if match := _WEEKDAY_ONLY.fullmatch(value):
        return Point(weekday=WEEKDAYS[match["wd"]], next_week=bool(match["nw"]))
    if match := _DAY_MONTH_NAME.fullmatch(value):
        return Point(weekday=_weekday(match["wd"]), day=int(match["d"]),
                     month=MONTHS[match["m"]], year=_year(match["y"]))
    if match := _NUMERIC.fullmatch(value):
        return Point(weekday=_weekday(match["wd"]), day=int(match["d"]),
                     month=int(match["m"]), year=_year(match["y"]))
    if match := _ISO.fullmatch(value):
        return Point(day=int(match["d"]), month=int(match["m"]), year=int(match["y"]))
    if match := _DAY_ONLY.fullmatch(value):
        return Point(day=int(match["d"]))
    return None


def weekday_after(anchor: date, weekday: int, *, inclusive: bool = False) -> date:
    """The first given weekday after `anchor` (or on it when inclusive)."""
    delta = (weekday - anchor.weekday()) % 7
    if delta == 0 and not inclusive:
        delta = 7
    return anchor + timedelta(days=delta)


def weekday_in_next_week(today: date, weekday: int) -> date:
    """That weekday in the calendar week (Monday-Sunday) after this one."""
    next_monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    return next_monday + timedelta(days=weekday)
