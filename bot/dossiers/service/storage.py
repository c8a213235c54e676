"""The dossier storage interface and the factory that picks a backend from a URL.

Backends: `sqlite_storage.SqliteStorage` (aiosqlite) and `postgres_storage.PostgresStorage`
(asyncpg). Both run the same SQL migrations (`migrations/*.sql`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.dossiers.models import (
    Dossier,
    DossierFilter,
    InternalNote,
    NewDossier,
    StatusChange,
)
from bot.dossiers.service.documents import Attachment, OwnerAnswer
from bot.dossiers.service.mail_model import OutgoingMail
from bot.dossiers.service.webhooks import WebhookEvent

DEFAULT_DB_URL = "sqlite:///var/dossiers.sqlite3"


class StorageError(Exception):
    pass


class ReferenceTaken(StorageError):
    """The generated reference exists already; the caller draws a new one."""


class StaleStatus(StorageError):
    """The status changed since it was read (a concurrent change); nothing was written."""


class DossierStorage(ABC):
    @abstractmethod
    async def migrate(self) -> int:
        """Apply pending migrations; returns the schema version."""

    @abstractmethod
    async def create(
        self, new: NewDossier, *, reference: str, idempotency_key: str, request_hash: str,
        actor: str, now: datetime, mails: Sequence[OutgoingMail] = (),
        webhooks: Sequence[WebhookEvent] = (),
    ) -> tuple[Dossier, bool]:
        """Insert unless the idempotency key exists, with `mails` in the same transaction.
        Returns (dossier, created)."""

    @abstractmethod
    async def get(self, reference: str) -> Dossier | None: ...

    @abstractmethod
    async def list_for_counter(
        self, counter: str, *, status: str | None = None, limit: int = 100
    ) -> list[Dossier]: ...

    @abstractmethod
    async def search(self, query: DossierFilter) -> tuple[list[Dossier], int]:
        """One page of matching dossiers, newest first, and how many match in all."""

    @abstractmethod
    async def status_counts(self, query: DossierFilter) -> dict[str, int]:
        """Matching dossiers per status (the query's own status is ignored)."""

    @abstractmethod
    async def facets(self, counters: frozenset[str] | None) -> dict[str, list[Any]]:
        """Types and municipalities present among these counters' dossiers (for filters)."""

    @abstractmethod
    async def change_status(
        self, reference: str, *, from_status: str, to_status: str, actor: str,
        note: str | None, now: datetime, actor_name: str | None = None,
        expected_version: int | None = None, mails: Sequence[OutgoingMail] = (),
        webhooks: Sequence[WebhookEvent] = (),
    ) -> Dossier:
        """Raises StaleStatus when the dossier is no longer in `from_status` (or no longer at
        `expected_version`). `mails` are queued in the same transaction."""

    @abstractmethod
    async def assign(self, reference: str, *, assignee: str | None, assignee_name: str | None,
                     now: datetime) -> Dossier: ...

    @abstractmethod
    async def add_note(self, reference: str, *, author: str, author_name: str | None,
                       text: str, now: datetime) -> InternalNote: ...

    @abstractmethod
    async def notes(self, reference: str) -> list[InternalNote]: ...

    @abstractmethod
    async def history(self, reference: str) -> list[StatusChange]: ...

    # --- the mail outbox ---------------------------------------------------------------------
    @abstractmethod
    async def due_mails(self, now: datetime, limit: int = 20) -> list[OutgoingMail]: ...

    @abstractmethod
    async def claim_mail(self, key: str, now: datetime, lease_until: datetime) -> bool:
        """Take a due mail for one attempt (counts it); False when another worker has it."""

    @abstractmethod
    async def mail_sent(self, key: str, now: datetime) -> None: ...

    @abstractmethod
    async def mail_retry(self, key: str, next_attempt_at: datetime, error: str) -> None: ...

    @abstractmethod
    async def mail_failed(self, key: str, now: datetime, error: str) -> None: ...

    @abstractmethod
    async def mails_for(self, reference: str) -> list[dict[str, Any]]:
        """The dossier's e-mails and how far they got (for officers: was the owner told?)."""

    # --- the webhook outbox ------------------------------------------------------------------
    @abstractmethod
    async def due_webhooks(self, now: datetime, limit: int = 20) -> list[WebhookEvent]:
        """Due events whose earlier events of the same dossier are all delivered."""

    @abstractmethod
    async def claim_webhook(self, event_id: str, now: datetime, lease_until: datetime) -> bool: ...

    @abstractmethod
    async def webhook_delivered(self, event_id: str, now: datetime, status: int | None) -> None:
        ...

    @abstractmethod
    async def webhook_retry(self, event_id: str, next_attempt_at: datetime, status: int | None,
                            error: str) -> None: ...

    # --- documents, owner answers, conversation grants (documents.py) ------------------------
    @abstractmethod
    async def add_attachment(self, attachment: Attachment, content: bytes, *,
                             conversation_id: str | None, max_count: int) -> Attachment | None:
        """Stores it with the next seq; None when the dossier has `max_count` already."""

    @abstractmethod
    async def attachments(self, reference: str) -> list[Attachment]: ...

    @abstractmethod
    async def attachment_content(self, reference: str, attachment_id: str
                                 ) -> tuple[Attachment, bytes] | None: ...

    @abstractmethod
    async def owner_answer(
        self, reference: str, *, text: str, from_status: str, to_status: str,
        conversation_id: str | None, now: datetime, mails: Sequence[OutgoingMail] = (),
        webhooks: Sequence[WebhookEvent] = (),
    ) -> tuple[Dossier, OwnerAnswer]:
        """The answer and the status change it makes, in one transaction; StaleStatus when the
        dossier is no longer in `from_status`."""

    @abstractmethod
    async def owner_answers(self, reference: str) -> list[OwnerAnswer]: ...

    @abstractmethod
    async def grant_conversation(self, reference: str, conversation_id: str,
                                 expires_at: datetime) -> None: ...

    @abstractmethod
    async def conversation_granted(self, reference: str, conversation_id: str,
                                   now: datetime) -> bool: ...

    @abstractmethod
    async def ping(self) -> None:
        """Raises when the database cannot be reached."""

    @abstractmethod
    async def close(self) -> None: ...


def storage_from_url(url: str) -> DossierStorage:
    """`sqlite:///relative.sqlite3`, `sqlite:////absolute.sqlite3` or `postgresql://...`."""
    if url.startswith(("postgresql://", "postgres://")):
        from bot.dossiers.service.postgres_storage import PostgresStorage

        return PostgresStorage(url)
    if url.startswith("sqlite:///"):
        from bot.dossiers.service.sqlite_storage import SqliteStorage

        return SqliteStorage(Path(url.removeprefix("sqlite:///")))
    raise ValueError("DOSSIER_DB_URL must start with sqlite:/// or postgresql://")
