"""An e-mail waiting in the dossier service's mail outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OutgoingMail:
    """One e-mail to an owner; `key` makes it unique (one per dossier event)."""

    key: str
    reference: str
    kind: str
    recipient: str
    subject: str
    body: str
    message_id: str
    created_at: datetime
    attempts: int = 0
