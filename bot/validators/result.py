"""Result objects shared by all validators: `Valid(value)` or `Invalid(code)`.

The code is a stable English id (e.g. "enterprise_number_checksum"); the Rasa layer maps it to a
Dutch response. No user-facing text lives here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, TypeVar, Union, get_args

T = TypeVar("T")

# Every reason an answer can be refused. Each has a Dutch reply `utter_dossier_invalid_<code>` in
# domain/dossiers.yml; mypy rejects a code that is not listed here, a test checks the replies.
ErrorCode = Literal[
    "count_empty",
    "count_format",
    "count_not_positive",
    "date_empty",
    "date_in_past",
    "date_invalid",
    "date_today_not_allowed",
    "date_too_far",
    "date_unrecognised",
    "date_weekday_mismatch",
    "email_domain",
    "email_empty",
    "email_format",
    "enterprise_number_checksum",
    "enterprise_number_empty",
    "enterprise_number_first_digit",
    "enterprise_number_format",
    "enterprise_number_length",
    "name_empty",
    "name_format",
    "name_no_letters",
    "name_too_long",
    "name_too_short",
    "period_end_before_start",
    "phone_empty",
    "phone_format",
    "phone_length",
    "phone_not_belgian",
    "surface_empty",
    "surface_format",
    "surface_not_positive",
    "surface_too_large",
    "text_too_long",
    "text_too_short",
    "municipality_unknown",
    "reference_format",
]
ERROR_CODES: frozenset[str] = frozenset(get_args(ErrorCode))


@dataclass(frozen=True)
class Valid(Generic[T]):
    value: T
    ok: Literal[True] = True


@dataclass(frozen=True)
class Invalid:
    code: ErrorCode
    ok: Literal[False] = False


ValidationResult = Union[Valid[T], Invalid]  # noqa: UP007 (generic alias needs Union on 3.10)
