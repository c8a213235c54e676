"""Property tests (hypothesis) for the validators."""

from __future__ import annotations

from datetime import date

from hypothesis import assume, given
from hypothesis import strategies as st

from bot.validators import (
    Invalid,
    Period,
    Valid,
    parse_date,
    parse_period,
    validate_email,
    validate_enterprise_number,
    validate_phone,
)
from bot.validators.dates import MONTHS, WEEKDAYS

first_eight = st.integers(min_value=0, max_value=19_999_999)
# Issued numbers start with 0 followed by 2-9 (the old VAT range) or with 1.
issued_first_eight = st.integers(min_value=2_000_000, max_value=19_999_999)


def digits_of(n: int) -> str:
    return f"{n:08d}{97 - n % 97:02d}"


def spellings(digits: str) -> list[str]:
    dotted = f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
    result = [digits, dotted, "BE " + dotted, "BE" + digits, "be" + digits,
              f"{digits[:4]} {digits[4:7]} {digits[7:]}", f" {dotted} "]
    if digits.startswith("0"):
        result += [digits[1:], dotted[1:], "BE " + dotted[1:]]
    return result


@given(issued_first_eight)
def test_every_spelling_of_a_valid_number_normalises_identically(n):
    digits = digits_of(n)
    expected = Valid(f"{digits[:4]}.{digits[4:7]}.{digits[7:]}")
    for spelling in spellings(digits):
        assert validate_enterprise_number(spelling) == expected, spelling


@given(first_eight, st.integers(min_value=0, max_value=9), st.integers(min_value=0, max_value=9))
def test_any_single_digit_change_is_refused(n, position, replacement):
    digits = digits_of(n)
    assume(digits[position] != str(replacement))
    changed = digits[:position] + str(replacement) + digits[position + 1:]
    result = validate_enterprise_number(changed)
    assert isinstance(result, Invalid)
    assert result.code in ("enterprise_number_checksum", "enterprise_number_first_digit")


separators = st.sampled_from(["", " ", ".", "/", "-"])


@st.composite
def belgian_phone_texts(draw: st.DrawFn) -> str:
    mobile = draw(st.booleans())
    if mobile:
        national = "4" + draw(st.sampled_from("56789")) + draw(st.text("0123456789", min_size=7,
                                                                         max_size=7))
    else:
        national = draw(st.sampled_from("12356789")) + draw(st.text("0123456789", min_size=7,
                                                                      max_size=7))
    prefix = draw(st.sampled_from(["0", "+32 ", "0032 ", "+32 (0)", "+32"]))
    sep = draw(separators)
    groups = [national[i:i + 2] for i in range(0, len(national), 2)]
    return prefix + sep.join(groups)


@given(belgian_phone_texts())
def test_phone_normalisation_accepts_belgian_numbers_and_is_idempotent(text):
    first = validate_phone(text)
    assert isinstance(first, Valid), text
    assert first.value.startswith("+32")
    assert validate_phone(first.value) == first


@given(st.text(max_size=30))
def test_phone_normalisation_is_idempotent_on_anything(text):
    result = validate_phone(text)
    if isinstance(result, Valid):
        assert validate_phone(result.value) == result


@given(st.emails())
def test_valid_emails_are_stable(address):
    result = validate_email(address)
    if isinstance(result, Valid):
        assert validate_email(result.value) == result
        assert result.value.split("@")[1] == result.value.split("@")[1].lower()


labels = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)


@st.composite
def everyday_emails(draw: st.DrawFn) -> str:
    """Addresses as owners have them: the conditional tests above would pass on a validator
    that refused everything, this one makes sure the usual shapes are accepted."""
    local = draw(labels) + draw(st.sampled_from(["", ".", "_", "-", "+"])) + draw(labels)
    domain = ".".join(draw(st.lists(labels, min_size=1, max_size=2)))
    tld = draw(st.sampled_from(["be", "com", "eu", "vlaanderen", "gent"]))
    return f"{local}@{domain}.{tld}"


@given(everyday_emails(), st.booleans())
def test_everyday_emails_are_accepted_and_the_domain_lowercased(address, shout):
    typed = address.upper() if shout else address
    result = validate_email(f"  {typed} ")
    assert isinstance(result, Valid), typed
    assert result.value.split("@")[1] == address.split("@")[1]
    assert validate_email(result.value) == result


todays = st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31))
days = st.integers(min_value=1, max_value=31).map(str)
month_names = st.sampled_from(sorted(MONTHS))
weekday_names = st.sampled_from(sorted(WEEKDAYS))


@st.composite
def date_texts(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["name", "numeric", "weekday", "relative", "bare"]))
    if kind == "name":
        year = draw(st.sampled_from(["", " 2026", " 2027", " 2030"]))
        return f"{draw(days)} {draw(month_names)}{year}"
    if kind == "numeric":
        year = draw(st.sampled_from(["", "/2027", "/28"]))
        return f"{draw(days)}/{draw(st.integers(min_value=1, max_value=12))}{year}"
    if kind == "weekday":
        return draw(st.sampled_from(["", "volgende ", "deze "])) + draw(weekday_names)
    if kind == "relative":
        return draw(st.sampled_from(["vandaag", "morgen", "overmorgen"]))
    return draw(days)


@st.composite
def period_texts(draw: st.DrawFn) -> str:
    first, last = draw(date_texts()), draw(date_texts())
    shape = draw(st.sampled_from(["{a} tot {b}", "van {a} tot {b}", "tussen {a} en {b}",
                                  "{a} - {b}", "{a} t/m {b}", "{a}", "volgend weekend"]))
    return shape.format(a=first, b=last)


@given(period_texts(), todays)
def test_parsed_periods_never_end_before_they_start_and_lie_ahead(text, today):
    result = parse_period(text, today)
    if isinstance(result, Valid):
        assert result.value.start <= result.value.end
        assert result.value.start > today


@given(todays, st.integers(min_value=1, max_value=3), st.integers(min_value=1, max_value=11),
       st.integers(min_value=1, max_value=28), st.integers(min_value=0, max_value=20))
def test_explicit_future_periods_are_accepted_as_given(today, years_ahead, month, day, length):
    """The property above only holds when a period is accepted; here it must be."""
    start = date(today.year + years_ahead, month, day)
    end = date(start.year, month + 1, min(28, day + length))
    text = f"van {start.day}/{start.month}/{start.year} tot {end.day}/{end.month}/{end.year}"
    result = parse_period(text, today)
    assert isinstance(result, Valid), text
    assert (result.value.start, result.value.end) == (start, end)


@given(st.text(max_size=40), todays)
def test_parsers_never_crash_on_arbitrary_text(text, today):
    assert isinstance(parse_period(text, today), (Valid, Invalid))
    assert isinstance(parse_date(text, today), (Valid, Invalid))


@given(date_texts(), todays)
def test_a_single_date_is_a_one_day_period(text, today):
    single = parse_date(text, today)
    period = parse_period(text, today)
    if isinstance(single, Valid):
        assert period == Valid(Period(single.value, single.value))
