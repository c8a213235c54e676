"""Belgian enterprise numbers (KBO/BCE): 10 digits, first digit 0 or 1, mod-97 check digits."""

from __future__ import annotations

import re

from bot.validators.result import Invalid, Valid, ValidationResult

_SEPARATORS = re.compile(r"[\s.\-]+")
_PREFIX = re.compile(r"^BE", re.IGNORECASE)


def check_digits(first_eight: int) -> int:
    """The two check digits for the first eight digits: 97 - (n mod 97)."""
    return 97 - first_eight % 97


def format_enterprise_number(digits: str) -> str:
    """`0123456789` -> `0123.456.789` (the official spelling)."""
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def validate_enterprise_number(text: str) -> ValidationResult[str]:
    """Accepts `BE 0123.456.789`, `BE0123456789`, `0123 456 789`, 9 digits without leading 0."""
    compact = _SEPARATORS.sub("", text or "")
    compact = _PREFIX.sub("", compact)
    if not compact:
        return Invalid("enterprise_number_empty")
    if not compact.isascii() or not compact.isdigit():
        return Invalid("enterprise_number_format")
    if len(compact) == 9 and compact[0] != "0":  # the leading 0 was left out
        compact = "0" + compact
    if len(compact) != 10:
        return Invalid("enterprise_number_length")
    if compact[0] not in "01":
        return Invalid("enterprise_number_first_digit")
    if check_digits(int(compact[:8])) != int(compact[8:]):
        return Invalid("enterprise_number_checksum")
    return Valid(format_enterprise_number(compact))
