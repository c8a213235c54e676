"""Dossier records, statuses and the allowed status transitions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

RECEIVED = "received"
IN_PROGRESS = "in_behandeling"
NEEDS_INFO = "aanvullende_info_nodig"
APPROVED = "goedgekeurd"
REFUSED = "geweigerd"
CLOSED = "afgesloten"

STATUSES = (RECEIVED, IN_PROGRESS, NEEDS_INFO, APPROVED, REFUSED, CLOSED)
TRANSITIONS: Mapping[str, frozenset[str]] = {
    RECEIVED: frozenset({IN_PROGRESS, CLOSED}),
    IN_PROGRESS: frozenset({NEEDS_INFO, APPROVED, REFUSED, CLOSED}),
    NEEDS_INFO: frozenset({IN_PROGRESS, APPROVED, REFUSED, CLOSED}),
    APPROVED: frozenset({CLOSED}),
    REFUSED: frozenset({CLOSED}),
    CLOSED: frozenset(),
}


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


@dataclass(frozen=True)
class Applicant:
    name: str
    email: str
    phone: str | None = None
    enterprise_number: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "email": self.email, "phone": self.phone,
                "enterprise_number": self.enterprise_number}


@dataclass(frozen=True)
class NewDossier:
    """A validated submission, before it has a reference."""

    type: str
    tenant: str
    counter: str
    municipality_nis: str
    municipality_name: str
    applicant: Applicant
    fields: Mapping[str, Any] = field(default_factory=dict)
    conversation_id: str | None = None


@dataclass(frozen=True)
class Dossier:
    reference: str
    type: str
    tenant: str
    counter: str
    municipality_nis: str
    municipality_name: str
    applicant: Applicant
    fields: Mapping[str, Any]
    conversation_id: str | None
    status: str
    created_at: datetime
    updated_at: datetime
    request_hash: str
    version: int = 1  # seq of the last status change: an officer's change names the one it saw
    assigned_to: str | None = None
    assigned_name: str | None = None

    def owner_view(self) -> dict[str, Any]:
        """What the applicant may see: no personal data, no field contents."""
        return {
            "reference": self.reference,
            "type": self.type,
            "status": self.status,
            "municipality": {"nis": self.municipality_nis, "name": self.municipality_name},
            "counter": self.counter,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }

    def officer_view(self) -> dict[str, Any]:
        return {
            **self.owner_view(),
            "tenant": self.tenant,
            "applicant": self.applicant.as_dict(),
            "fields": dict(self.fields),
            "conversation_id": self.conversation_id,
            "allowed_transitions": sorted(TRANSITIONS[self.status]),
            "version": self.version,
            "assignee": ({"id": self.assigned_to, "name": self.assigned_name}
                         if self.assigned_to else None),
        }


@dataclass(frozen=True)
class StatusChange:
    reference: str
    seq: int
    from_status: str | None
    to_status: str
    actor: str
    note: str | None
    changed_at: datetime
    actor_name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "from": self.from_status, "to": self.to_status,
                "actor": self.actor, "actor_name": self.actor_name, "note": self.note,
                "at": self.changed_at.isoformat()}


@dataclass(frozen=True)
class InternalNote:
    """An officer's note inside the dossier; never shown to the owner."""

    reference: str
    seq: int
    author: str
    author_name: str | None
    text: str
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "author": self.author, "author_name": self.author_name,
                "text": self.text, "at": self.created_at.isoformat()}


@dataclass(frozen=True)
class DossierFilter:
    """What an officer's list asks for; every part is optional. `counters` None = all."""

    counters: frozenset[str] | None = None
    status: str | None = None
    type: str | None = None
    municipality_nis: str | None = None
    created_from: datetime | None = None  # inclusive
    created_before: datetime | None = None  # exclusive
    text: str | None = None  # reference, enterprise number or name (lower case)
    limit: int = 100
    offset: int = 0
