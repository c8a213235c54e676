"""Dossier references like `OVL-2026-K7M4QX`: prefix, year, six random characters.

The alphabet leaves out 0/O and 1/I/L so a reference read over the phone is unambiguous."""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RANDOM_LENGTH = 6
_PREFIX = re.compile(r"[A-Z]{2,5}")
REFERENCE = re.compile(
    rf"(?P<prefix>[A-Z]{{2,5}})-(?P<year>\d{{4}})-[{ALPHABET}]{{{RANDOM_LENGTH}}}")


def new_reference(prefix: str, year: int) -> str:
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"reference prefix must be 2-5 capital letters, got {prefix!r}")
    tail = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"{prefix}-{year:04d}-{tail}"


def normalise_reference(text: str) -> str | None:
    """Upper-case and trim what a user typed; None when it cannot be a reference."""
    value = (text or "").strip().upper().replace(" ", "")
    return value if REFERENCE.fullmatch(value) else None
