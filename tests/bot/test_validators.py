"""Validators: what a user types and what the assistant keeps (or which error id it gets)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.validators import (
    Invalid,
    Period,
    Valid,
    parse_date,
    parse_period,
    validate_email,
    validate_enterprise_number,
    validate_name,
    validate_phone,
    validate_surface,
)
from tests.bot.dossier_fixtures import enterprise_number

TODAY = date(2026, 11, 23)  # a Monday
VALID_KBO = enterprise_number(4031707)  # 0403.170.701, check digits by the mod-97 rule
VALID_KBO_1 = enterprise_number(10_000_000)  # first digit 1


@pytest.mark.parametrize("text", [
    "BE 0403.170.701", "0403170701", "0403 170 701", "BE0403170701", "be0403.170.701",
    "403170701", "403.170.701", " 0403-170-701 ",
])
def test_enterprise_number_spellings_normalise_to_the_official_form(text):
    assert validate_enterprise_number(text) == Valid("0403.170.701")


def test_enterprise_numbers_may_start_with_1():
    assert validate_enterprise_number(VALID_KBO_1.replace(".", "")) == Valid(VALID_KBO_1)


@pytest.mark.parametrize(("text", "code"), [
    ("0403.170.702", "enterprise_number_checksum"),
    ("0403.170.710", "enterprise_number_checksum"),
    ("2403.170.701", "enterprise_number_first_digit"),
    ("0403.170.70", "enterprise_number_length"),
    ("04031707011", "enterprise_number_length"),
    ("0403.17O.701", "enterprise_number_format"),
    ("", "enterprise_number_empty"),
    ("BE", "enterprise_number_empty"),
])
def test_wrong_enterprise_numbers_get_a_specific_code(text, code):
    assert validate_enterprise_number(text) == Invalid(code)


@pytest.mark.parametrize(("text", "expected"), [
    ("Lotte.Verbeke@Example.BE", "Lotte.Verbeke@example.be"),
    ("  jan+terras@voorbeeld.be ", "jan+terras@voorbeeld.be"),
    ("mailto:info@zaak.example.be", "info@zaak.example.be"),
])
def test_email_keeps_the_local_part_and_lowercases_the_domain(text, expected):
    assert validate_email(text) == Valid(expected)


@pytest.mark.parametrize(("text", "code"), [
    ("jan@", "email_domain"), ("@voorbeeld.be", "email_format"), ("jan@@x.be", "email_format"),
    ("jan..peeters@x.be", "email_format"), ("jan@localhost", "email_domain"),
    ("jan@-x.be", "email_domain"), ("jan@x.b", "email_domain"), ("", "email_empty"),
    ("jan peeters@x.be", "email_format"),
])
def test_bad_emails_are_refused(text, code):
    assert validate_email(text) == Invalid(code)


@pytest.mark.parametrize(("text", "expected"), [
    ("0470 12 34 56", "+32470123456"),
    ("0470/12.34.56", "+32470123456"),
    ("+32 470 12 34 56", "+32470123456"),
    ("0032 470 12 34 56", "+32470123456"),
    ("+32 (0)470 12 34 56", "+32470123456"),
    ("09 123 45 67", "+3291234567"),
    ("02-123.45.67", "+3221234567"),
    ("016 12 34 56", "+3216123456"),
    ("+3291234567", "+3291234567"),
])
def test_belgian_phone_numbers_become_e164(text, expected):
    assert validate_phone(text) == Valid(expected)


@pytest.mark.parametrize(("text", "code"), [
    ("+31 6 12345678", "phone_not_belgian"),
    ("0049 30 1234567", "phone_not_belgian"),
    ("0470 12 34 5", "phone_length"),
    ("09 123 45 678", "phone_length"),
    ("0412 34 56 78", "phone_format"),
    ("470123456", "phone_format"),
    ("bel me", "phone_format"),
    ("", "phone_empty"),
])
def test_wrong_phone_numbers_are_refused(text, code):
    assert validate_phone(text) == Invalid(code)


@pytest.mark.parametrize(("text", "expected"), [
    ("12 m2", 12.0), ("12 m²", 12.0), ("12m2", 12.0), ("12,5 vierkante meter", 12.5),
    ("12.5", 12.5), ("12,5", 12.5), ("1.250 m²", 1250.0), ("1.250,5 m2", 1250.5),
    ("ongeveer 30 vierkante meters", 30.0),
])
def test_surfaces_in_square_metres(text, expected):
    assert validate_surface(text) == Valid(expected)


@pytest.mark.parametrize(("text", "code"), [
    ("0", "surface_not_positive"), ("-4 m2", "surface_not_positive"),
    ("0,001 m2", "surface_not_positive"), ("groot", "surface_format"),
    ("12 m3", "surface_format"), ("5000000 m2", "surface_too_large"), ("", "surface_empty"),
])
def test_impossible_surfaces_are_refused(text, code):
    assert validate_surface(text) == Invalid(code)


def test_names_are_trimmed_and_checked():
    assert validate_name("  Lotte   Verbeke ") == Valid("Lotte Verbeke")
    assert validate_name("BV 't Hoekske") == Valid("BV 't Hoekske")
    assert validate_name("X") == Invalid("name_too_short")
    assert validate_name("12345") == Invalid("name_no_letters")
    assert validate_name("a" * 101) == Invalid("name_too_long")
    assert validate_name("   ") == Invalid("name_empty")


def d(month: int, day: int, year: int = 2027) -> date:
    return date(year, month, day)


@pytest.mark.parametrize(("text", "expected"), [
    ("morgen", date(2026, 11, 24)),
    ("overmorgen", date(2026, 11, 25)),
    ("vrijdag", date(2026, 11, 27)),
    ("volgende vrijdag", date(2026, 11, 27)),
    ("op vrijdag", date(2026, 11, 27)),
    ("vrijdag volgende week", date(2026, 12, 4)),
    ("maandag", date(2026, 11, 30)),  # today is Monday: the next one
    ("15 juni", d(6, 15)),  # already past this year: next year
    ("15 jun.", d(6, 15)),
    ("15/6", d(6, 15)),
    ("15-06-2027", d(6, 15)),
    ("15.06.27", d(6, 15)),
    ("2027-06-15", d(6, 15)),
    ("1ste december", date(2026, 12, 1)),  # still ahead this year
    ("29 februari", d(2, 29, 2028)),  # next leap year
])
def test_single_dates(text, expected):
    assert parse_date(text, TODAY) == Valid(expected)


def test_a_weekday_with_a_date_must_match():
    spring = date(2025, 5, 1)
    assert parse_date("zaterdag 14 juni", spring) == Valid(date(2025, 6, 14))
    assert parse_date("zondag 14 juni", spring) == Invalid("date_weekday_mismatch")
    # In November 2026 "14 juni" is 14 June 2027, a Monday.
    assert parse_date("zaterdag 14 juni", TODAY) == Invalid("date_weekday_mismatch")


@pytest.mark.parametrize(("text", "code"), [
    ("vandaag", "date_today_not_allowed"),
    ("23 november", "date_today_not_allowed"),
    ("1/1/2020", "date_in_past"),
    ("22-11-2026", "date_in_past"),
    ("31 juni", "date_invalid"),
    ("31/4/2027", "date_invalid"),
    ("15/6/2099", "date_too_far"),
    ("ooit", "date_unrecognised"),
    ("", "date_empty"),
])
def test_dates_that_cannot_be_used(text, code):
    assert parse_date(text, TODAY) == Invalid(code)


def test_today_is_allowed_when_the_caller_says_so():
    assert parse_date("vandaag", TODAY, allow_today=True) == Valid(TODAY)


@pytest.mark.parametrize(("text", "start", "end"), [
    ("1/7 tot 31/8", d(7, 1), d(8, 31)),
    ("1/7-31/8", d(7, 1), d(8, 31)),
    ("van 1 tot 3 mei", d(5, 1), d(5, 3)),
    ("van 1 mei tot 3 juni", d(5, 1), d(6, 3)),
    ("vanaf 1 mei tot en met 3 juni", d(5, 1), d(6, 3)),
    ("15 juni t/m 20 juni", d(6, 15), d(6, 20)),
    ("tussen 2 en 5 augustus", d(8, 2), d(8, 5)),
    ("15-06-2027 - 20-06-2027", d(6, 15), d(6, 20)),
    ("15 december tot 15 januari", date(2026, 12, 15), d(1, 15)),
    ("volgend weekend", date(2026, 11, 28), date(2026, 11, 29)),
    ("dit weekend", date(2026, 11, 28), date(2026, 11, 29)),
    ("volgende week", date(2026, 11, 30), date(2026, 12, 6)),
    ("vrijdag tot zondag", date(2026, 11, 27), date(2026, 11, 29)),
    ("morgen tot vrijdag", date(2026, 11, 24), date(2026, 11, 27)),
    ("15 juni", d(6, 15), d(6, 15)),
])
def test_periods(text, start, end):
    assert parse_period(text, TODAY) == Valid(Period(start, end))


def test_a_period_without_years_stays_together_when_it_rolls_over():
    # In mid-July the summer has started: the whole period moves to next year.
    assert parse_period("1/7 tot 31/8", date(2026, 7, 15)) == Valid(Period(d(7, 1), d(8, 31)))


@pytest.mark.parametrize(("text", "code"), [
    ("van 5 tot 3 mei", "period_end_before_start"),
    ("20-06-2027 tot 15-06-2027", "period_end_before_start"),
    ("vrijdag tot morgen", "period_end_before_start"),
    ("vandaag tot vrijdag", "date_today_not_allowed"),
    ("1/1/2020 tot 1/2/2020", "date_in_past"),
    ("van 1 tot 3", "date_unrecognised"),
])
def test_periods_that_cannot_be_used(text, code):
    assert parse_period(text, TODAY) == Invalid(code)


def test_period_helpers():
    period = Period(d(7, 1), d(8, 31))
    assert period.days == 62
    assert period.as_dict() == {"start": "2027-07-01", "end": "2027-08-31"}
