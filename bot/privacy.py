"""Masking of personal data in text and log records: e-mail addresses, phone numbers,
national register numbers (rijksregisternummer), enterprise numbers and Belgian IBANs.

`mask_pii(text)` replaces them with placeholders like `[email]`; `mask_secrets(text)` replaces
tokens and passwords in query strings (`?token=…`) and `Bearer …` values with `[secret]`;
`PiiFilter` applies both to every log record (message, arguments and traceback), access log
lines included; `install_pii_filter()` puts the filter on the root handlers. Over-masking
(a number that only looks like a phone number) is accepted; under-masking is the bug to
avoid."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

EMAIL = "[email]"
PHONE = "[phone]"
NATIONAL_NUMBER = "[national_number]"
ENTERPRISE_NUMBER = "[enterprise_number]"
IBAN = "[iban]"

# "%40" is an URL-encoded "@" (e-mail addresses in query strings of access logs).
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+(?:@|%40)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_IBAN = re.compile(r"\bBE\d{2}(?:[\s]?\d{4}){3}\b", re.IGNORECASE)
_INTERNATIONAL_PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)\d{2,3}(?:[\s./-]?(?:\(0\))?[\s]?\d){7,11}(?!\d)")
# Rijksregisternummer: YY.MM.DD-XXX.CC, also without separators (11 digits).
_NATIONAL_NUMBER = re.compile(
    r"(?<![\d.,])\d{2}[.\s]?\d{2}[.\s]?\d{2}[-\s.]?\d{3}[.\s]?\d{2}(?!\d)")
_TEN_DIGITS = re.compile(
    r"(?<![\d.,])(?:BE\s?)?[01]\d{3}[.\s]?\d{3}[.\s]?\d{3}(?!\d)", re.IGNORECASE)
_NATIONAL_PHONE = re.compile(r"(?<![\d+.,])0\d(?:[\s./-]?\d){7,8}(?!\d)")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _ten_digits(match: re.Match[str]) -> str:
    """A 10-digit number starting 0/1: an enterprise number when the checksum holds (or it
    carries the BE prefix), otherwise a phone number when it starts with 0."""
    digits = _digits(match.group())
    if match.group().upper().startswith("BE") or 97 - int(digits[:8]) % 97 == int(digits[8:]):
        return ENTERPRISE_NUMBER
    return PHONE if digits.startswith("0") else match.group()


_RULES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (_EMAIL, EMAIL),
    (_IBAN, IBAN),
    (_INTERNATIONAL_PHONE, PHONE),
    (_NATIONAL_NUMBER, NATIONAL_NUMBER),
    (_TEN_DIGITS, _ten_digits),
    (_NATIONAL_PHONE, PHONE),
)


SECRET = "[secret]"  # noqa: S105 (the placeholder, not a secret)
_SECRET_PARAM = re.compile(
    r"(?i)(?<![\w-])((?:auth_?|access_|api_|owner_|session_)?(?:token|password|passwd|secret|"
    r"api_?key)=)[^&\s\"';]+")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")


def mask_secrets(text: str) -> str:
    text = _SECRET_PARAM.sub(lambda m: m.group(1) + SECRET, text)
    return _BEARER.sub(lambda m: m.group(1) + SECRET, text)


def mask_pii(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


class PiiFilter(logging.Filter):
    """Masks the formatted message and any traceback; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # broken format arguments: still log something, masked
            message = f"{record.msg} {record.args}"
        record.msg = mask_pii(mask_secrets(message))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_pii(mask_secrets(record.exc_text))
        if record.stack_info:
            record.stack_info = mask_pii(mask_secrets(record.stack_info))
        return True


def install_pii_filter(logger: logging.Logger | None = None) -> PiiFilter:
    """Add one PiiFilter to every handler of `logger` (default: root). Call after the
    handlers are configured; calling twice does not add a second filter."""
    target = logger or logging.getLogger()
    pii_filter = PiiFilter()
    for handler in target.handlers:
        if not any(isinstance(existing, PiiFilter) for existing in handler.filters):
            handler.addFilter(pii_filter)
    return pii_filter
