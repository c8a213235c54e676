"""Opening status of a counter and the Dutch sentence the user sees."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.counters import Counter, load_tenant
from bot.opening_hours import describe_opening, load_locale, opening_status

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture(scope="module")
def tenant(root):
    return load_tenant(root / "content" / "tenants" / "oost-vlaanderen.yml")


@pytest.fixture(scope="module")
def aalst(tenant):
    # example hours: Mon, Tue, Thu 9:00-12:00 and 13:30-16:00; Wed until 19:00; Fri 9:00-12:00
    return tenant.counter("aalst")


@pytest.fixture(scope="module")
def locale(root):
    return load_locale(root / "content" / "locale.yml")


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)


def test_open_during_opening_hours(aalst, locale):
    status = opening_status(aalst, at(2026, 11, 23, 10))  # Monday
    assert status.open_now and not status.closing_soon
    assert status.closes_at == at(2026, 11, 23, 12)
    assert status.next_open is None
    assert describe_opening(status, locale) == "Het loket is nu open tot 12:00."


def test_one_minute_before_closing_is_still_open(aalst, locale):
    status = opening_status(aalst, at(2026, 11, 23, 15, 59))
    assert status.open_now and status.closing_soon
    assert status.closes_at == at(2026, 11, 23, 16)
    assert "16:00" in describe_opening(status, locale)


def test_at_closing_time_it_is_closed_until_the_next_morning(aalst, locale):
    now = at(2026, 11, 23, 16)
    status = opening_status(aalst, now)
    assert not status.open_now
    assert status.next_open == at(2026, 11, 24, 9)
    assert (
        describe_opening(status, locale, now)
        == "Het loket is nu gesloten. Het gaat morgen weer open om 9:00."
    )
    assert describe_opening(status, locale) == (
        "Het loket is nu gesloten. Het gaat weer open op dinsdag 24 november om 9:00."
    )


def test_lunch_break_reopens_the_same_day(aalst, locale):
    now = at(2026, 11, 23, 12, 30)
    status = opening_status(aalst, now)
    assert not status.open_now and status.next_open == at(2026, 11, 23, 13, 30)
    assert (
        describe_opening(status, locale, now)
        == "Het loket is nu gesloten. Het gaat vandaag weer open om 13:30."
    )


def test_weekend_reopens_on_monday(aalst, locale):
    status = opening_status(aalst, at(2026, 11, 28, 10))  # Saturday
    assert not status.open_now
    assert status.next_open == at(2026, 11, 30, 9)
    assert describe_opening(status, locale) == (
        "Het loket is nu gesloten. Het gaat weer open op maandag 30 november om 9:00."
    )


def test_closed_on_a_public_holiday(aalst):
    status = opening_status(aalst, at(2026, 11, 11, 10))  # Armistice, a Wednesday
    assert not status.open_now
    assert status.next_open == at(2026, 11, 12, 9)


@pytest.mark.parametrize(
    ("now", "next_open"),
    [
        (at(2026, 11, 10, 17), at(2026, 11, 12, 9)),  # Tue evening, Wed 11 Nov is a holiday
        (at(2026, 12, 24, 16), at(2026, 12, 28, 9)),  # Christmas on Friday, then the weekend
        (at(2027, 3, 26, 12), at(2027, 3, 30, 9)),  # Friday before Easter Monday 2027
        (at(2026, 5, 13, 19), at(2026, 5, 15, 9)),  # Ascension Day 2026
    ],
)
def test_next_opening_skips_holidays(aalst, now, next_open):
    status = opening_status(aalst, now)
    assert not status.open_now
    assert status.next_open == next_open


def test_other_time_zones_and_naive_times_are_brussels_time(aalst):
    winter = opening_status(aalst, datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc))  # 9:30 CET
    summer = opening_status(aalst, datetime(2026, 7, 1, 7, 30, tzinfo=timezone.utc))  # 9:30 CEST
    early = opening_status(aalst, datetime(2026, 7, 1, 6, 30, tzinfo=timezone.utc))  # 8:30 CEST
    naive = opening_status(aalst, datetime(2026, 11, 23, 9, 30))
    assert winter.open_now and summer.open_now and naive.open_now
    assert not early.open_now and early.next_open == at(2026, 7, 1, 9)


def test_counter_without_hours(tenant, locale):
    status = opening_status(tenant.counter("vlaio"), at(2026, 11, 23, 10))
    assert not status.hours_known and not status.open_now
    assert status.next_open is None and status.closes_at is None
    assert describe_opening(status, locale) == locale["opening_status"]["no_hours"]


def test_counter_closed_for_weeks(locale):
    closed = frozenset(date(2026, 12, 1) + timedelta(days=i) for i in range(60))
    counter = Counter(
        id="closed",
        name="Test",
        kind="municipal_counter",
        example=True,
        municipalities=None,
        topics=None,
        opening_hours={0: ((time(9), time(12)),)},
        closed_days=closed,
    )
    status = opening_status(counter, at(2026, 12, 1, 10))
    assert not status.open_now and status.hours_known and status.next_open is None
    assert describe_opening(status, locale) == locale["opening_status"]["closed_no_next"]


def test_locale_has_dutch_names(locale):
    assert locale["weekdays"][0] == "maandag" and len(locale["weekdays"]) == 7
    assert locale["months"][10] == "november" and len(locale["months"]) == 12


def test_a_counter_open_all_day_is_open_in_the_last_minute_before_midnight():
    from bot.counters import _interval

    whole_day = _interval("00:00-24:00", "test")
    counter = Counter(id="always", name="Test", kind="municipal_counter", example=True,
                      municipalities=None, topics=None,
                      opening_hours={day: (whole_day,) for day in range(7)})
    brussels = ZoneInfo("Europe/Brussels")
    assert opening_status(counter, datetime(2026, 12, 1, 23, 59, 30, tzinfo=brussels)).open_now
    assert opening_status(counter, datetime(2026, 12, 2, 0, 0, 0, tzinfo=brussels)).open_now
    with pytest.raises(ValueError):
        _interval("09:00-08:00", "test")
