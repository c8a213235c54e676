"""The owner's phone number or e-mail address for a call-back, from free text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.validators.contact import validate_email, validate_phone

_EMAIL = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+")
_PHONE = re.compile(r"\+?[\d][\d\s./()-]{6,}\d")


@dataclass(frozen=True)
class ContactDetail:
    kind: Literal["phone", "email"]
    value: str


def parse_contact(text: str) -> ContactDetail | None:
    """An e-mail address or a Belgian phone number found in the text, normalised."""
    for candidate in _EMAIL.findall(text or ""):
        email = validate_email(candidate.rstrip("."))
        if email.ok:
            return ContactDetail("email", email.value)
    for candidate in _PHONE.findall(text or ""):
        phone = validate_phone(candidate)
        if phone.ok:
            return ContactDetail("phone", phone.value)
    return None
