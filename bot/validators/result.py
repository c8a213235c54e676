"""Result objects shared by all validators: `Valid(value)` or `Invalid(code)`.

The code is a stable English id (e.g. "enterprise_number_checksum"); the Rasa layer maps it to a
Dutch response. No user-facing text lives here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, TypeVar, Union

T = TypeVar("T")


@dataclass(frozen=True)
class Valid(Generic[T]):
    value: T
    ok: Literal[True] = True


@dataclass(frozen=True)
class Invalid:
    code: str
    ok: Literal[False] = False


ValidationResult = Union[Valid[T], Invalid]  # noqa: UP007 (generic alias needs Union on 3.10)
