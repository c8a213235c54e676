"""Storage logic shared by the SQL backends; they only supply connections and type mapping.

Queries use `?` placeholders; the PostgreSQL backend rewrites them to `$n`."""

from __future__ import annotations

import asyncio
import json
import re
from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Protocol

from bot.dossiers.models import (
    RECEIVED,
    Applicant,
    Dossier,
    DossierFilter,
    InternalNote,
    NewDossier,
    StatusChange,
)
from bot.dossiers.service.documents import Attachment, OwnerAnswer
from bot.dossiers.service.mail_model import OutgoingMail
from bot.dossiers.service.storage import DossierStorage, ReferenceTaken, StaleStatus
from bot.dossiers.service.webhooks import WebhookEvent
from bot.storage.migrate import upgrade
from bot.storage.roles import DOSSIERS

_COLUMNS = (
    "reference, idempotency_key, request_hash, dossier_type, tenant, counter, municipality_nis, "
    "municipality_name, applicant_email, applicant, fields, conversation_id, status, "
    "created_at, updated_at"
)
_READ_COLUMNS = _COLUMNS + ", status_seq, assigned_to, assigned_name"
# Built once from the constant column list above; values always go through placeholders.
_INSERT = (
    f"INSERT INTO dossiers ({_COLUMNS}, search_text) "  # noqa: S608
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (idempotency_key) DO NOTHING"
)
_SELECT = f"SELECT {_READ_COLUMNS} FROM dossiers WHERE "  # noqa: S608
_BY_KEY = _SELECT + "idempotency_key = ?"
_BY_REFERENCE = _SELECT + "reference = ?"
_BY_COUNTER = _SELECT + "counter = ?"
_HISTORY_INSERT = (
    "INSERT INTO dossier_status_history (reference, seq, from_status, to_status, actor, note, "
    "changed_at, actor_name) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM "
    "dossier_status_history WHERE reference = ?), ?, ?, ?, ?, ?, ?)"
)
_NOTE_INSERT = (
    "INSERT INTO dossier_notes (reference, seq, author, author_name, text, created_at) "
    "VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM dossier_notes WHERE reference = ?), "
    "?, ?, ?, ?)"
)
_MAIL_INSERT = (
    "INSERT INTO mail_outbox (mail_key, reference, kind, recipient, subject, body, message_id, "
    "created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (mail_key) DO NOTHING"
)
_WEBHOOK_INSERT = (
    "INSERT INTO webhook_outbox (event_id, reference, seq, tenant, counter, event, body, "
    "created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (event_id) DO NOTHING"
)
_LIKE_SPECIALS = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_"})
_NON_DIGITS = re.compile(r"[^0-9]")


def search_text(reference: str, applicant: Mapping[str, Any], fields: Mapping[str, Any]) -> str:
    """What an officer's search matches: reference, names and the enterprise number (digits
    only, so "0403.170.701", "BE 0403170701" and "403170701" all find it), lower case."""
    parts = [reference, str(applicant.get("name") or ""), str(fields.get("business_name") or ""),
             str(fields.get("event_name") or ""),
             _NON_DIGITS.sub("", str(applicant.get("enterprise_number") or ""))]
    return "\n".join(part.lower() for part in parts if part)


def _like(term: str) -> str:
    return "%" + term.translate(_LIKE_SPECIALS) + "%"


def _where(query: DossierFilter, to_db_time: Callable[[datetime], Any],
           with_status: bool = True) -> tuple[str, list[Any]]:
    """A WHERE clause built from constant fragments; every value is a placeholder."""
    clauses: list[str] = []
    args: list[Any] = []
    if query.counters is not None:
        if not query.counters:
            return "1 = 0", []
        clauses.append("counter IN (" + ", ".join("?" * len(query.counters)) + ")")
        args.extend(sorted(query.counters))
    if with_status and query.status:
        clauses.append("status = ?")
        args.append(query.status)
    if query.type:
        clauses.append("dossier_type = ?")
        args.append(query.type)
    if query.municipality_nis:
        clauses.append("municipality_nis = ?")
        args.append(query.municipality_nis)
    if query.created_from is not None:
        clauses.append("created_at >= ?")
        args.append(to_db_time(query.created_from))
    if query.created_before is not None:
        clauses.append("created_at < ?")
        args.append(to_db_time(query.created_before))
    if query.text:
        term = query.text.strip().lower()
        digits = _NON_DIGITS.sub("", term.removeprefix("be"))
        if len(digits) >= 4 and not re.search(r"[a-z]", term.removeprefix("be")):
            clauses.append("(search_text LIKE ? ESCAPE '\\' OR search_text LIKE ? ESCAPE '\\')")
            args.extend([_like(term), _like(digits.lstrip("0") or digits)])
        else:
            clauses.append("search_text LIKE ? ESCAPE '\\'")
            args.append(_like(term))
    return (" AND ".join(clauses) or "1 = 1"), args


class Tx(Protocol):
    async def execute(self, sql: str, *args: Any) -> int: ...
    async def fetchone(self, sql: str, *args: Any) -> Mapping[str, Any] | None: ...
    async def fetchall(self, sql: str, *args: Any) -> list[Mapping[str, Any]]: ...


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


class SqlStorage(DossierStorage):
    # Appended to a SELECT that must hold the row until commit; SQLite's BEGIN IMMEDIATE
    # already makes writers take turns, so it needs nothing.
    ROW_LOCK = ""

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Tx]: ...

    @abstractmethod
    def to_db_time(self, value: datetime) -> Any: ...

    @abstractmethod
    def is_unique_violation(self, exc: BaseException) -> bool: ...

    @abstractmethod
    def migration_target(self) -> tuple[str, str | None]:
        """(database URL, PostgreSQL schema or None) for the storage layer's migrator."""

    async def _lock_dossier(self, tx: Tx, reference: str) -> None:
        """Holds the dossier's row until the transaction ends."""
        await tx.fetchone("SELECT reference FROM dossiers WHERE reference = ?"  # noqa: S608
                          + self.ROW_LOCK, reference)

    @staticmethod
    def from_db_time(value: Any) -> datetime:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
        return parsed.astimezone(timezone.utc)

    def _dossier(self, row: Mapping[str, Any]) -> Dossier:
        applicant = json.loads(row["applicant"])
        return Dossier(
            reference=row["reference"], type=row["dossier_type"], tenant=row["tenant"],
            counter=row["counter"], municipality_nis=row["municipality_nis"],
            municipality_name=row["municipality_name"], applicant=Applicant(**applicant),
            fields=json.loads(row["fields"]), conversation_id=row["conversation_id"],
            status=row["status"], created_at=self.from_db_time(row["created_at"]),
            updated_at=self.from_db_time(row["updated_at"]), request_hash=row["request_hash"],
            version=int(row["status_seq"]), assigned_to=row["assigned_to"],
            assigned_name=row["assigned_name"],
        )

    async def migrate(self) -> int:
        """Alembic `upgrade head` of the `dossiers` tree (bot/storage; advisory-locked on
        PostgreSQL, so concurrent service starts are safe); returns the schema version."""
        url, schema = self.migration_target()
        await asyncio.to_thread(upgrade, url, DOSSIERS, "head", schema)
        async with self.transaction() as tx:
            row = await tx.fetchone("SELECT MAX(version) AS version FROM schema_version")
        await self._fill_search_text()
        return int(row["version"]) if row and row["version"] is not None else 0

    async def _fill_search_text(self) -> None:
        """Dossiers created before the search column existed get it here (once)."""
        async with self.transaction() as tx:
            rows = await tx.fetchall("SELECT reference, applicant, fields FROM dossiers "
                                     "WHERE search_text IS NULL")
            for row in rows:
                text = search_text(row["reference"], json.loads(row["applicant"]),
                                   json.loads(row["fields"]))
                await tx.execute("UPDATE dossiers SET search_text = ? WHERE reference = ?",
                                 text, row["reference"])

    async def create(
        self, new: NewDossier, *, reference: str, idempotency_key: str, request_hash: str,
        actor: str, now: datetime, mails: Sequence[OutgoingMail] = (),
        webhooks: Sequence[WebhookEvent] = (),
    ) -> tuple[Dossier, bool]:
        stamp = self.to_db_time(now)
        values = (
            reference, idempotency_key, request_hash, new.type, new.tenant, new.counter,
            new.municipality_nis, new.municipality_name, new.applicant.email.lower(),
            _dump(new.applicant.as_dict()), _dump(dict(new.fields)), new.conversation_id,
            RECEIVED, stamp, stamp,
            search_text(reference, new.applicant.as_dict(), new.fields),
        )
        try:
            async with self.transaction() as tx:
                created = await tx.execute(_INSERT, *values) == 1
                if created:
                    await tx.execute(_HISTORY_INSERT, reference, reference, None, RECEIVED,
                                     actor, None, stamp, None)
                    await self._queue_mails(tx, mails)
                    await self._queue_webhooks(tx, webhooks)
        except Exception as exc:
            if self.is_unique_violation(exc):
                raise ReferenceTaken(reference) from exc
            raise
        async with self.transaction() as tx:
            row = await tx.fetchone(_BY_KEY, idempotency_key)
        assert row is not None, "a dossier with this idempotency key must exist now"
        return self._dossier(row), created

    async def get(self, reference: str) -> Dossier | None:
        async with self.transaction() as tx:
            row = await tx.fetchone(_BY_REFERENCE, reference)
        return self._dossier(row) if row else None

    async def list_for_counter(
        self, counter: str, *, status: str | None = None, limit: int = 100
    ) -> list[Dossier]:
        sql = _BY_COUNTER
        args: list[Any] = [counter]
        if status:
            sql += " AND status = ?"
            args.append(status)
        async with self.transaction() as tx:
            rows = await tx.fetchall(sql + " ORDER BY created_at DESC, reference LIMIT ?",
                                     *args, limit)
        return [self._dossier(row) for row in rows]

    async def search(self, query: DossierFilter) -> tuple[list[Dossier], int]:
        where, args = _where(query, self.to_db_time)
        async with self.transaction() as tx:
            rows = await tx.fetchall(_SELECT + where + " ORDER BY created_at DESC, reference "
                                     "LIMIT ? OFFSET ?", *args, query.limit, query.offset)
            total = await tx.fetchone(
                "SELECT COUNT(*) AS n FROM dossiers WHERE " + where, *args)  # noqa: S608
        return [self._dossier(row) for row in rows], int(total["n"]) if total else 0

    async def status_counts(self, query: DossierFilter) -> dict[str, int]:
        where, args = _where(query, self.to_db_time, with_status=False)
        async with self.transaction() as tx:
            rows = await tx.fetchall("SELECT status, COUNT(*) AS n FROM dossiers WHERE "  # noqa: S608
                                     + where + " GROUP BY status", *args)
        return {row["status"]: int(row["n"]) for row in rows}

    async def facets(self, counters: frozenset[str] | None) -> dict[str, list[Any]]:
        where, args = _where(DossierFilter(counters=counters), self.to_db_time)
        async with self.transaction() as tx:
            types = await tx.fetchall("SELECT DISTINCT dossier_type FROM dossiers WHERE "  # noqa: S608
                                      + where + " ORDER BY dossier_type", *args)
            places = await tx.fetchall(
                "SELECT DISTINCT municipality_nis, municipality_name FROM dossiers WHERE "  # noqa: S608
                + where + " ORDER BY municipality_name", *args)
        return {"types": [row["dossier_type"] for row in types],
                "municipalities": [{"nis": row["municipality_nis"],
                                    "name": row["municipality_name"]} for row in places]}

    async def change_status(
        self, reference: str, *, from_status: str, to_status: str, actor: str,
        note: str | None, now: datetime, actor_name: str | None = None,
        expected_version: int | None = None, mails: Sequence[OutgoingMail] = (),
        webhooks: Sequence[WebhookEvent] = (),
    ) -> Dossier:
        stamp = self.to_db_time(now)
        sql = ("UPDATE dossiers SET status = ?, status_seq = status_seq + 1, updated_at = ? "
               "WHERE reference = ? AND status = ?")
        args: list[Any] = [to_status, stamp, reference, from_status]
        if expected_version is not None:
            sql += " AND status_seq = ?"
            args.append(expected_version)
        async with self.transaction() as tx:
            changed = await tx.execute(sql, *args)
            if changed != 1:
                raise StaleStatus(reference)
            await tx.execute(_HISTORY_INSERT, reference, reference, from_status, to_status,
                             actor, note, stamp, actor_name)
            await self._queue_mails(tx, mails)
            await self._queue_webhooks(tx, webhooks)
            row = await tx.fetchone(_BY_REFERENCE, reference)
        assert row is not None
        return self._dossier(row)

    async def assign(self, reference: str, *, assignee: str | None, assignee_name: str | None,
                     now: datetime) -> Dossier:
        async with self.transaction() as tx:
            # updated_at stays the time of the last status change: the owner sees it, and
            # an internal assignment is no news for the owner
            await tx.execute("UPDATE dossiers SET assigned_to = ?, assigned_name = ? "
                             "WHERE reference = ?", assignee,
                             assignee_name if assignee else None, reference)
            row = await tx.fetchone(_BY_REFERENCE, reference)
        if row is None:
            raise KeyError(reference)
        return self._dossier(row)

    async def add_note(self, reference: str, *, author: str, author_name: str | None,
                       text: str, now: datetime) -> InternalNote:
        async with self.transaction() as tx:
            # Two officers' notes at once: they take turns on the dossier row for the next seq.
            await self._lock_dossier(tx, reference)
            await tx.execute(_NOTE_INSERT, reference, reference, author, author_name, text,
                             self.to_db_time(now))
            row = await tx.fetchone("SELECT MAX(seq) AS seq FROM dossier_notes WHERE "
                                    "reference = ?", reference)
        assert row is not None
        return InternalNote(reference, int(row["seq"]), author, author_name, text, now)

    async def notes(self, reference: str) -> list[InternalNote]:
        async with self.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT reference, seq, author, author_name, text, created_at FROM "
                "dossier_notes WHERE reference = ? ORDER BY seq", reference)
        return [InternalNote(row["reference"], int(row["seq"]), row["author"],
                             row["author_name"], row["text"],
                             self.from_db_time(row["created_at"])) for row in rows]

    async def history(self, reference: str) -> list[StatusChange]:
        async with self.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT reference, seq, from_status, to_status, actor, note, changed_at, "
                "actor_name FROM dossier_status_history WHERE reference = ? ORDER BY seq",
                reference)
        return [StatusChange(row["reference"], int(row["seq"]), row["from_status"],
                             row["to_status"], row["actor"], row["note"],
                             self.from_db_time(row["changed_at"]), row["actor_name"])
                for row in rows]

    async def _queue_mails(self, tx: Tx, mails: Sequence[OutgoingMail]) -> None:
        for mail in mails:
            stamp = self.to_db_time(mail.created_at)
            await tx.execute(_MAIL_INSERT, mail.key, mail.reference, mail.kind, mail.recipient,
                             mail.subject, mail.body, mail.message_id, stamp, stamp)

    async def _queue_webhooks(self, tx: Tx, events: Sequence[WebhookEvent]) -> None:
        for event in events:
            stamp = self.to_db_time(event.created_at)
            await tx.execute(_WEBHOOK_INSERT, event.event_id, event.reference, event.seq,
                             event.tenant, event.counter, event.event, event.body, stamp, stamp)

    async def due_webhooks(self, now: datetime, limit: int = 20) -> list[WebhookEvent]:
        async with self.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT event_id, reference, seq, tenant, counter, event, body, created_at, "
                "attempts FROM webhook_outbox w WHERE delivered_at IS NULL "
                "AND next_attempt_at <= ? AND NOT EXISTS (SELECT 1 FROM webhook_outbox o "
                "WHERE o.reference = w.reference AND o.seq < w.seq AND o.delivered_at IS NULL) "
                "ORDER BY next_attempt_at, reference, seq LIMIT ?", self.to_db_time(now), limit)
        return [WebhookEvent(row["event_id"], row["reference"], int(row["seq"]), row["tenant"],
                             row["counter"], row["event"], row["body"],
                             self.from_db_time(row["created_at"]), int(row["attempts"]))
                for row in rows]

    async def claim_webhook(self, event_id: str, now: datetime, lease_until: datetime) -> bool:
        async with self.transaction() as tx:
            claimed = await tx.execute(
                "UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = ? "
                "WHERE event_id = ? AND delivered_at IS NULL AND next_attempt_at <= ?",
                self.to_db_time(lease_until), event_id, self.to_db_time(now))
        return claimed == 1

    async def webhook_delivered(self, event_id: str, now: datetime, status: int | None) -> None:
        async with self.transaction() as tx:
            await tx.execute("UPDATE webhook_outbox SET delivered_at = ?, last_status = ?, "
                             "last_error = NULL WHERE event_id = ?", self.to_db_time(now),
                             status, event_id)

    async def webhook_retry(self, event_id: str, next_attempt_at: datetime, status: int | None,
                            error: str) -> None:
        async with self.transaction() as tx:
            await tx.execute("UPDATE webhook_outbox SET next_attempt_at = ?, last_status = ?, "
                             "last_error = ? WHERE event_id = ?",
                             self.to_db_time(next_attempt_at), status, error[:500], event_id)

    async def due_mails(self, now: datetime, limit: int = 20) -> list[OutgoingMail]:
        async with self.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT mail_key, reference, kind, recipient, subject, body, message_id, "
                "created_at, attempts FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS "
                "NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, mail_key LIMIT ?",
                self.to_db_time(now), limit)
        return [OutgoingMail(row["mail_key"], row["reference"], row["kind"], row["recipient"],
                             row["subject"], row["body"], row["message_id"],
                             self.from_db_time(row["created_at"]), int(row["attempts"]))
                for row in rows]

    async def claim_mail(self, key: str, now: datetime, lease_until: datetime) -> bool:
        async with self.transaction() as tx:
            claimed = await tx.execute(
                "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ? "
                "WHERE mail_key = ? AND sent_at IS NULL AND failed_at IS NULL "
                "AND next_attempt_at <= ?", self.to_db_time(lease_until), key,
                self.to_db_time(now))
        return claimed == 1

    async def mail_sent(self, key: str, now: datetime) -> None:
        async with self.transaction() as tx:
            await tx.execute("UPDATE mail_outbox SET sent_at = ?, last_error = NULL "
                             "WHERE mail_key = ?", self.to_db_time(now), key)

    async def mail_retry(self, key: str, next_attempt_at: datetime, error: str) -> None:
        async with self.transaction() as tx:
            await tx.execute("UPDATE mail_outbox SET next_attempt_at = ?, last_error = ? "
                             "WHERE mail_key = ?", self.to_db_time(next_attempt_at),
                             error[:500], key)

    async def mail_failed(self, key: str, now: datetime, error: str) -> None:
        async with self.transaction() as tx:
            await tx.execute("UPDATE mail_outbox SET failed_at = ?, last_error = ? "
                             "WHERE mail_key = ?", self.to_db_time(now), error[:500], key)

    async def mails_for(self, reference: str) -> list[dict[str, Any]]:
        async with self.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT mail_key, kind, subject, created_at, sent_at, failed_at, attempts "
                "FROM mail_outbox WHERE reference = ? ORDER BY created_at, mail_key", reference)

        def stamp(value: Any) -> str | None:
            return self.from_db_time(value).isoformat() if value is not None else None

        return [{"key": row["mail_key"], "kind": row["kind"], "subject": row["subject"],
                 "queued_at": stamp(row["created_at"]), "sent_at": stamp(row["sent_at"]),
                 "failed_at": stamp(row["failed_at"]), "attempts": int(row["attempts"])}
                for row in rows]

    async def ping(self) -> None:
        async with self.transaction() as tx:
            await tx.fetchone("SELECT 1 AS ok")

    # --- documents, owner answers, conversation grants ---------------------------------------
    _ATTACHMENT_COLUMNS = ("attachment_id, reference, seq, filename, content_type, size_bytes, "
                           "sha256, uploaded_by, created_at, requested_key")

    def _attachment(self, row: Mapping[str, Any]) -> Attachment:
        return Attachment(row["attachment_id"], row["reference"], int(row["seq"]),
                          row["filename"], row["content_type"], int(row["size_bytes"]),
                          row["sha256"], row["uploaded_by"], self.from_db_time(row["created_at"]),
                          row["requested_key"])

    async def add_attachment(self, attachment: Attachment, content: bytes, *,
                             conversation_id: str | None, max_count: int) -> Attachment | None:
        async with self.transaction() as tx:
            # Uploads to one dossier take turns on its row, so parallel uploads neither
            # collide on seq nor get past max_count together.
            await self._lock_dossier(tx, attachment.reference)
            row = await tx.fetchone("SELECT COUNT(*) AS n, COALESCE(MAX(seq), 0) AS last FROM "
                                    "dossier_attachments WHERE reference = ?",
                                    attachment.reference)
            count, last = (int(row["n"]), int(row["last"])) if row else (0, 0)
            if count >= max_count:
                return None
            await tx.execute(
                "INSERT INTO dossier_attachments (" + self._ATTACHMENT_COLUMNS  # noqa: S608
                + ", conversation_id, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                attachment.id, attachment.reference, last + 1, attachment.filename,
                attachment.content_type, attachment.size, attachment.sha256,
                attachment.uploaded_by, self.to_db_time(attachment.created_at),
                attachment.requested_key, conversation_id, content)
        return replace(attachment, seq=last + 1)

    async def attachments(self, reference: str) -> list[Attachment]:
        async with self.transaction() as tx:
            rows = await tx.fetchall("SELECT " + self._ATTACHMENT_COLUMNS  # noqa: S608
                                     + " FROM dossier_attachments WHERE reference = ? "
                                     "ORDER BY seq", reference)
        return [self._attachment(row) for row in rows]

    async def attachment_content(self, reference: str, attachment_id: str
                                 ) -> tuple[Attachment, bytes] | None:
        async with self.transaction() as tx:
            row = await tx.fetchone("SELECT " + self._ATTACHMENT_COLUMNS  # noqa: S608
                                    + ", content FROM dossier_attachments WHERE reference = ? "
                                    "AND attachment_id = ?", reference, attachment_id)
        return (self._attachment(row), bytes(row["content"])) if row else None

    async def owner_answer(
        self, reference: str, *, text: str, from_status: str, to_status: str,
        conversation_id: str | None, now: datetime, mails: Sequence[OutgoingMail] = (),
        webhooks: Sequence[WebhookEvent] = (),
    ) -> tuple[Dossier, OwnerAnswer]:
        stamp = self.to_db_time(now)
        async with self.transaction() as tx:
            changed = await tx.execute(
                "UPDATE dossiers SET status = ?, status_seq = status_seq + 1, updated_at = ? "
                "WHERE reference = ? AND status = ?", to_status, stamp, reference, from_status)
            if changed != 1:
                raise StaleStatus(reference)
            await tx.execute(_HISTORY_INSERT, reference, reference, from_status, to_status,
                             "owner", None, stamp, None)
            seq_row = await tx.fetchone("SELECT status_seq FROM dossiers WHERE reference = ?",
                                        reference)
            history_seq = int(seq_row["status_seq"]) if seq_row else 0
            await tx.execute(
                "INSERT INTO dossier_owner_answers (reference, seq, text, history_seq, "
                "conversation_id, created_at) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 "
                "FROM dossier_owner_answers WHERE reference = ?), ?, ?, ?, ?)",
                reference, reference, text, history_seq, conversation_id, stamp)
            await self._queue_mails(tx, mails)
            await self._queue_webhooks(tx, webhooks)
            row = await tx.fetchone(_BY_REFERENCE, reference)
            answer = await tx.fetchone("SELECT MAX(seq) AS seq FROM dossier_owner_answers "
                                       "WHERE reference = ?", reference)
        assert row is not None and answer is not None
        return self._dossier(row), OwnerAnswer(reference, int(answer["seq"]), text,
                                               history_seq, now)

    async def owner_answers(self, reference: str) -> list[OwnerAnswer]:
        async with self.transaction() as tx:
            rows = await tx.fetchall("SELECT reference, seq, text, history_seq, created_at FROM "
                                     "dossier_owner_answers WHERE reference = ? ORDER BY seq",
                                     reference)
        return [OwnerAnswer(row["reference"], int(row["seq"]), row["text"],
                            int(row["history_seq"]), self.from_db_time(row["created_at"]))
                for row in rows]

    async def grant_conversation(self, reference: str, conversation_id: str,
                                 expires_at: datetime) -> None:
        async with self.transaction() as tx:
            await tx.execute("INSERT INTO dossier_owner_grants (reference, conversation_id, "
                             "expires_at) VALUES (?, ?, ?) ON CONFLICT (reference, "
                             "conversation_id) DO UPDATE SET expires_at = excluded.expires_at",
                             reference, conversation_id, self.to_db_time(expires_at))

    async def conversation_granted(self, reference: str, conversation_id: str,
                                   now: datetime) -> bool:
        async with self.transaction() as tx:
            row = await tx.fetchone("SELECT 1 AS ok FROM dossier_owner_grants WHERE reference = ? "
                                    "AND conversation_id = ? AND expires_at > ?", reference,
                                    conversation_id, self.to_db_time(now))
        return row is not None
