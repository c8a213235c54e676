"""Storage logic shared by the SQL backends; they only supply connections and type mapping.

Queries use `?` placeholders; the PostgreSQL backend rewrites them to `$n`."""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timezone
from typing import Any, Protocol

from bot.dossiers.models import RECEIVED, Applicant, Dossier, NewDossier, StatusChange
from bot.dossiers.service.migrations import SCHEMA_VERSION_DDL, load_migrations
from bot.dossiers.service.storage import DossierStorage, ReferenceTaken, StaleStatus

_COLUMNS = (
    "reference, idempotency_key, request_hash, dossier_type, tenant, counter, municipality_nis, "
    "municipality_name, applicant_email, applicant, fields, conversation_id, status, "
    "created_at, updated_at"
)
# Built once from the constant column list above; values always go through placeholders.
_INSERT = (
    f"INSERT INTO dossiers ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "  # noqa: S608
    "ON CONFLICT (idempotency_key) DO NOTHING"
)
_SELECT = f"SELECT {_COLUMNS} FROM dossiers WHERE "  # noqa: S608
_BY_KEY = _SELECT + "idempotency_key = ?"
_BY_REFERENCE = _SELECT + "reference = ?"
_BY_COUNTER = _SELECT + "counter = ?"
_HISTORY_INSERT = (
    "INSERT INTO dossier_status_history (reference, seq, from_status, to_status, actor, note, "
    "changed_at) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM dossier_status_history "
    "WHERE reference = ?), ?, ?, ?, ?, ?)"
)


class Tx(Protocol):
    async def execute(self, sql: str, *args: Any) -> int: ...
    async def fetchone(self, sql: str, *args: Any) -> Mapping[str, Any] | None: ...
    async def fetchall(self, sql: str, *args: Any) -> list[Mapping[str, Any]]: ...


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


class SqlStorage(DossierStorage):
    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Tx]: ...

    @abstractmethod
    def to_db_time(self, value: datetime) -> Any: ...

    @abstractmethod
    def is_unique_violation(self, exc: BaseException) -> bool: ...

    async def lock_for_migration(self, tx: Tx) -> None:
        """Backends with concurrent writers serialise migrations here."""

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
        )

    async def migrate(self) -> int:
        async with self.transaction() as tx:
            await self.lock_for_migration(tx)
            await tx.execute(SCHEMA_VERSION_DDL)
        for migration in load_migrations():
            async with self.transaction() as tx:
                await self.lock_for_migration(tx)
                done = await tx.fetchone("SELECT 1 AS done FROM schema_version WHERE version = ?",
                                         migration.version)
                if done:
                    continue
                for statement in migration.statements:
                    await tx.execute(statement)
                await tx.execute("INSERT INTO schema_version (version, name, applied_at) "
                                 "VALUES (?, ?, ?)", migration.version, migration.name,
                                 datetime.now(timezone.utc).isoformat())
        async with self.transaction() as tx:
            row = await tx.fetchone("SELECT MAX(version) AS version FROM schema_version")
        return int(row["version"]) if row and row["version"] is not None else 0

    async def create(
        self, new: NewDossier, *, reference: str, idempotency_key: str, request_hash: str,
        actor: str, now: datetime,
    ) -> tuple[Dossier, bool]:
        stamp = self.to_db_time(now)
        values = (
            reference, idempotency_key, request_hash, new.type, new.tenant, new.counter,
            new.municipality_nis, new.municipality_name, new.applicant.email.lower(),
            _dump(new.applicant.as_dict()), _dump(dict(new.fields)), new.conversation_id,
            RECEIVED, stamp, stamp,
        )
        try:
            async with self.transaction() as tx:
                created = await tx.execute(_INSERT, *values) == 1
                if created:
                    await tx.execute(_HISTORY_INSERT, reference, reference, None, RECEIVED,
                                     actor, None, stamp)
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

    async def change_status(
        self, reference: str, *, from_status: str, to_status: str, actor: str,
        note: str | None, now: datetime,
    ) -> Dossier:
        stamp = self.to_db_time(now)
        async with self.transaction() as tx:
            changed = await tx.execute(
                "UPDATE dossiers SET status = ?, updated_at = ? WHERE reference = ? AND status = ?",
                to_status, stamp, reference, from_status)
            if changed != 1:
                raise StaleStatus(reference)
            await tx.execute(_HISTORY_INSERT, reference, reference, from_status, to_status,
                             actor, note, stamp)
            row = await tx.fetchone(_BY_REFERENCE, reference)
        assert row is not None
        return self._dossier(row)

    async def history(self, reference: str) -> list[StatusChange]:
        async with self.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT reference, seq, from_status, to_status, actor, note, changed_at "
                "FROM dossier_status_history WHERE reference = ? ORDER BY seq", reference)
        return [StatusChange(row["reference"], int(row["seq"]), row["from_status"],
                             row["to_status"], row["actor"], row["note"],
                             self.from_db_time(row["changed_at"])) for row in rows]

    async def ping(self) -> None:
        async with self.transaction() as tx:
            await tx.fetchone("SELECT 1 AS ok")
