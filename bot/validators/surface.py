"""Surfaces in square metres: "12 m2", "12 m²", "12,5 vierkante meter", "12.5", "1.250 m2"."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bot.validators.result import Invalid, Valid, ValidationResult

# Upper bound only to catch typing mistakes (a whole market square is far below this).
MAX_SQUARE_METRES = Decimal(1_000_000)

_UNIT = re.compile(
    r"\s*(m2|m²|m\^2|sq\s*m|vierkante\s+meters?|vierkante\s+m|vierk\.?\s*m(eter)?|"
    r"meter\s*(2|²)|vm)\.?\s*$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^(?:ongeveer|circa|ca\.?|\+/-|±)?\s*(?P<n>[+-]?\d[\d.,\s]*?)$", re.I)
_THOUSANDS = re.compile(r"^\d{1,3}([.\s]\d{3})+$")


def _to_decimal(number: str) -> Decimal | None:
    """Flemish and English spellings: "12,5", "12.5", "1.250" (thousands), "1.250,5"."""
    number = number.strip()
    sign = ""
    if number[:1] in "+-":
        sign, number = number[0], number[1:].strip()
    if "," in number and "." in number:
        number = number.replace(".", "").replace(" ", "").replace(",", ".")
    elif "," in number:
        number = number.replace(" ", "").replace(",", ".")
    elif _THOUSANDS.fullmatch(number):
        number = number.replace(".", "").replace(" ", "")
    if number.count(".") > 1 or " " in number:
        return None
    try:
        return Decimal(sign + number)
    except InvalidOperation:
        return None


def validate_surface(text: str) -> ValidationResult[float]:
    """A positive surface in m²; a dot followed by exactly three digits is a thousands mark."""
    value = (text or "").strip()
    if not value:
        return Invalid("surface_empty")
    value = _UNIT.sub("", value)
    match = _NUMBER.fullmatch(value.strip())
    amount = _to_decimal(match.group("n")) if match else None
    if amount is None or not amount.is_finite():
        return Invalid("surface_format")
    amount = round(amount, 2)
    if amount <= 0:
        return Invalid("surface_not_positive")
    if amount > MAX_SQUARE_METRES:
        return Invalid("surface_too_large")
    return Valid(float(amount))
