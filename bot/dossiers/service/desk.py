"""What the dossier service does, independent of HTTP: create with idempotency, owner lookup,
officer status changes with their rules."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from bot.deployment import DEFAULT_REFERENCE_PREFIX
from bot.dossiers.dossier_types import DossierType
from bot.dossiers.models import (
    RECEIVED,
    TRANSITIONS,
    Dossier,
    DossierFilter,
    InternalNote,
    NewDossier,
    StatusChange,
    can_transition,
)
from bot.dossiers.references import new_reference, normalise_reference
from bot.dossiers.service.auth import Officer
from bot.dossiers.service.mail_texts import MailTexts
from bot.dossiers.service.storage import DossierStorage, ReferenceTaken, StaleStatus
from bot.dossiers.service.submission import parse_submission, submission_hash
from bot.dossiers.service.webhooks import WebhookDirectory, created_events, status_events

SERVICE_ACTOR = "service"
MAX_REFERENCE_ATTEMPTS = 5


class IdempotencyKeyReused(Exception):
    """The key was used before for a submission with different content."""


class DossierNotFound(Exception):
    pass


class InvalidTransition(Exception):
    def __init__(self, current: str, requested: str) -> None:
        super().__init__(f"{current} -> {requested}")
        self.current = current
        self.requested = requested
        self.allowed = sorted(TRANSITIONS.get(current, ()))


def _received(new: NewDossier, reference: str, fingerprint: str, now: datetime) -> Dossier:
    """The dossier as it will be stored (for the webhook payload written with it)."""
    return Dossier(reference, new.type, new.tenant, new.counter, new.municipality_nis,
                   new.municipality_name, new.applicant, new.fields, new.conversation_id,
                   RECEIVED, now, now, fingerprint)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class DossierDesk:
    def __init__(
        self, storage: DossierStorage, types: Mapping[str, DossierType], *,
        reference_prefix: str = DEFAULT_REFERENCE_PREFIX, clock: Callable[[], datetime] = utc_now,
        reference_factory: Callable[[str, int], str] = new_reference,
        mail: MailTexts | None = None, mail_queued: Callable[[], None] = lambda: None,
        webhooks: WebhookDirectory | None = None,
        webhook_queued: Callable[[], None] = lambda: None,
    ) -> None:
        self.storage = storage
        self.webhooks = webhooks
        self.webhook_queued = webhook_queued
        self.mail = mail
        self.mail_queued = mail_queued
        self.types = types
        self.prefix = reference_prefix
        self.clock = clock
        self.reference_factory = reference_factory

    async def submit(self, payload: Any, idempotency_key: str) -> tuple[Dossier, bool]:
        """Raises SubmissionError, IdempotencyKeyReused; ReferenceTaken after repeated bad luck."""
        new = parse_submission(payload, self.types)
        fingerprint = submission_hash(new)
        now = self.clock()
        year = now.astimezone(ZoneInfo("Europe/Brussels")).year
        for attempt in range(MAX_REFERENCE_ATTEMPTS):
            reference = self.reference_factory(self.prefix, year)
            mails = [self.mail.confirmation(reference, new, now)] if self.mail else []
            hooks = created_events(self.webhooks, _received(new, reference, fingerprint, now),
                                   now) if self.webhooks else []
            try:
                dossier, created = await self.storage.create(
                    new, reference=reference, idempotency_key=idempotency_key,
                    request_hash=fingerprint, actor=SERVICE_ACTOR, now=now, mails=mails,
                    webhooks=hooks)
            except ReferenceTaken:
                if attempt == MAX_REFERENCE_ATTEMPTS - 1:
                    raise
                continue
            if not created and dossier.request_hash != fingerprint:
                raise IdempotencyKeyReused(idempotency_key)
            if created and mails:
                self.mail_queued()
            if created and hooks:
                self.webhook_queued()
            return dossier, created
        raise AssertionError("unreachable")

    async def find_for_owner(self, reference: str, email: str) -> Dossier | None:
        """None for an unknown reference and for a wrong e-mail alike."""
        normalised = normalise_reference(reference)
        dossier = await self.storage.get(normalised) if normalised else None
        given = email.strip().lower().encode("utf-8")
        expected = dossier.applicant.email.lower().encode("utf-8") if dossier else b"\0"
        matches = hmac.compare_digest(given, expected)
        return dossier if dossier is not None and matches else None

    async def owner_note(self, dossier: Dossier) -> str | None:
        """The officer's note to the owner with the dossier's current status (the latest status
        change), None when that change had none. Internal notes are never part of it."""
        history = await self.storage.history(dossier.reference)
        latest = history[-1] if history else None
        return latest.note if latest is not None and latest.from_status is not None else None

    async def find_for_officer(self, reference: str, officer: Officer) -> Dossier:
        """Another counter's dossier is reported as not found, so officers cannot probe."""
        normalised = normalise_reference(reference)
        dossier = await self.storage.get(normalised) if normalised else None
        if dossier is None or not officer.may_access(dossier.counter):
            raise DossierNotFound(reference)
        return dossier

    async def change_status(
        self, reference: str, new_status: str, officer: Officer, note: str | None = None,
        expected_version: int | None = None,
    ) -> Dossier:
        """Raises DossierNotFound, InvalidTransition, StaleStatus (a concurrent change, or the
        dossier is no longer at `expected_version`, the version the officer saw)."""
        dossier = await self.find_for_officer(reference, officer)
        if expected_version is not None and dossier.version != expected_version:
            raise StaleStatus(dossier.reference)
        if not can_transition(dossier.status, new_status):
            raise InvalidTransition(dossier.status, new_status)
        now = self.clock()
        mails = [self.mail.status_change(dossier, new_status, note, dossier.version + 1, now)] \
            if self.mail else []
        seq = dossier.version + 1
        change = StatusChange(dossier.reference, seq, dossier.status, new_status, officer.id,
                              note, now, officer.name)
        after = replace(dossier, status=new_status, updated_at=now, version=seq)
        hooks = status_events(self.webhooks, after, change) if self.webhooks else []
        changed = await self.storage.change_status(
            dossier.reference, from_status=dossier.status, to_status=new_status,
            actor=officer.id, note=note, now=now, actor_name=officer.name,
            expected_version=expected_version, mails=mails, webhooks=hooks)
        if mails:
            self.mail_queued()
        if hooks:
            self.webhook_queued()
        return changed

    async def search(self, query: DossierFilter, officer: Officer
                     ) -> tuple[list[Dossier], int, dict[str, int], dict[str, Any]]:
        """(page, total, counts per status, facets), limited to the officer's counters."""
        visible = officer.visible_counters()
        scoped = replace(query, counters=visible)
        dossiers, total = await self.storage.search(scoped)
        counts = await self.storage.status_counts(scoped)
        return dossiers, total, counts, await self.storage.facets(visible)

    async def details(self, reference: str, officer: Officer
                      ) -> tuple[Dossier, list[StatusChange], list[InternalNote],
                                 list[dict[str, Any]]]:
        dossier = await self.find_for_officer(reference, officer)
        return (dossier, await self.storage.history(dossier.reference),
                await self.storage.notes(dossier.reference),
                await self.storage.mails_for(dossier.reference))

    async def assign(self, reference: str, officer: Officer, assignee: str | None,
                     assignee_name: str | None) -> Dossier:
        """Whether the assignee works at the counter is the caller's to check (the service
        does not know the console's accounts); access to the dossier is checked here."""
        dossier = await self.find_for_officer(reference, officer)
        return await self.storage.assign(dossier.reference, assignee=assignee,
                                         assignee_name=assignee_name, now=self.clock())

    async def add_note(self, reference: str, officer: Officer, text: str) -> InternalNote:
        dossier = await self.find_for_officer(reference, officer)
        return await self.storage.add_note(dossier.reference, author=officer.id,
                                           author_name=officer.name, text=text, now=self.clock())
