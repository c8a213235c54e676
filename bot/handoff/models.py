"""Records of the hand-off store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["queued", "taken", "callback", "closed", "returned"]
Kind = Literal["live", "callback"]
LIVE_STATUSES: tuple[Status, ...] = ("queued", "taken")


@dataclass(frozen=True)
class Officer:
    id: int
    name: str  # login name, unique
    display_name: str  # shown to owners and colleagues
    password_hash: str
    counters: tuple[str, ...]
    failed_logins: int = 0
    locked_until: float | None = None
    last_seen_at: float | None = None

    def serves(self, counter: str) -> bool:
        return counter in self.counters


@dataclass(frozen=True)
class HandoffRequest:
    id: int
    reference: str
    conversation_id: str
    kind: Kind
    counter: str
    counter_name: str
    municipality: str | None
    topic: str | None
    topic_title: str | None
    summary: str
    status: Status
    created_at: float
    taken_by: int | None = None
    taken_by_name: str | None = None
    contact_kind: str | None = None
    contact: str | None = None
    closed_at: float | None = None

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


@dataclass(frozen=True)
class OwnerMessage:
    """A message for the owner from the hand-off side: an officer's reply or a bot notice."""

    author: Literal["officer", "bot"]
    text: str
    officer: str | None = None


@dataclass(frozen=True)
class StoredMessage:
    id: int
    conversation_id: str
    author: str
    officer: str | None
    text: str
    created_at: float


@dataclass(frozen=True)
class AuditEntry:
    officer_id: int | None
    action: str
    target: str | None
    at: float
