"""E-mail addresses, Belgian phone numbers and personal or company names."""

from __future__ import annotations

import re

from bot.validators.result import Invalid, Valid, ValidationResult

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_TLD = re.compile(r"^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$")

_PHONE_NOISE = re.compile(r"[\s./\-()]")
_PHONE_SHAPE = re.compile(r"^\+?\d+$")
_SPACE = re.compile(r"\s+")


def validate_email(text: str) -> ValidationResult[str]:
    """Pragmatic check (no quoted local parts, no IP literals); the domain is lowercased."""
    value = (text or "").strip().removeprefix("mailto:")
    if not value:
        return Invalid("email_empty")
    if len(value) > 254 or value.count("@") != 1:
        return Invalid("email_format")
    local, domain = value.split("@")
    if not local or len(local) > 64 or not _LOCAL.fullmatch(local):
        return Invalid("email_format")
    try:
        domain = domain.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return Invalid("email_domain")
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return Invalid("email_domain")
    if not _TLD.fullmatch(labels[-1]):
        return Invalid("email_domain")
    return Valid(f"{local}@{domain}")


def _national_number(compact: str) -> str | None:
    """The national significant number (no country code, no trunk 0); None when foreign,
    "" when the number has no prefix at all."""
    if compact.startswith("+32"):
        national = compact[3:]
    elif compact.startswith("0032"):
        national = compact[4:]
    elif compact.startswith(("+", "00")):
        return None
    elif compact.startswith("0"):
        return compact[1:]
    else:
        return ""
    # "+32 0470 ..." and "+32 (0)470 ...": a trunk 0 after the country code is a common habit.
    return national[1:] if national.startswith("0") else national


def validate_phone(text: str) -> ValidationResult[str]:
    """Belgian numbers with +32, 0032 or 0; result in E.164 (`+32470123456`).

    Mobile: 04xx xx xx xx (9 national digits starting 45-49). Landline and service numbers:
    0x xxx xx xx or 0xx xx xx xx (8 national digits, not starting with 0 or 4)."""
    compact = _PHONE_NOISE.sub("", (text or "").strip())
    if not compact:
        return Invalid("phone_empty")
    if not _PHONE_SHAPE.fullmatch(compact):
        return Invalid("phone_format")
    national = _national_number(compact)
    if national is None:
        return Invalid("phone_not_belgian")
    if not national or not national[0].isdigit() or national[0] == "0":
        return Invalid("phone_format")
    if national[0] == "4":
        if len(national) != 9:
            return Invalid("phone_length")
        if national[1] not in "56789":
            return Invalid("phone_format")
    elif len(national) != 8:
        return Invalid("phone_length")
    return Valid("+32" + national)


def validate_name(text: str) -> ValidationResult[str]:
    """A person's or company's name: 2-100 characters after trimming, at least one letter."""
    value = _SPACE.sub(" ", (text or "").strip())
    if not value:
        return Invalid("name_empty")
    if len(value) < 2:
        return Invalid("name_too_short")
    if len(value) > 100:
        return Invalid("name_too_long")
    if not any(ch.isalpha() for ch in value):
        return Invalid("name_no_letters")
    if any(not ch.isprintable() for ch in value):
        return Invalid("name_format")
    return Valid(value)
