"""What the service does with owners' documents and answers, independent of HTTP.

An owner's conversation may add to a dossier when it submitted that dossier (the dossier's
`conversation_id`) or when the owner proved it is theirs there: the chat's status check
(reference + e-mail) asks for a grant, which holds for `GRANT_HOURS`. Every other conversation
is told the dossier does not exist, so nobody can probe references.

An upload may say which of the dossier type's requested documents it is (its `id` in
content/requested_documents.yml, the attachment's `requested_key`); a key the type does not ask
for is refused before the file is looked at."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import replace
from datetime import timedelta

from bot.dossiers.models import CLOSED, IN_PROGRESS, NEEDS_INFO, RECEIVED, Dossier, StatusChange
from bot.dossiers.references import normalise_reference
from bot.dossiers.requested_documents import RequestedDocument, RequestedDocuments
from bot.dossiers.service.auth import Officer
from bot.dossiers.service.desk import DossierDesk, DossierNotFound
from bot.dossiers.service.documents import (
    MAX_ATTACHMENTS,
    Attachment,
    OwnerAnswer,
    display_name,
)
from bot.dossiers.service.file_check import check_document
from bot.dossiers.service.webhooks import status_events

GRANT_HOURS = 2
OWNER = "owner"
OPEN_FOR_DOCUMENTS = frozenset({RECEIVED, IN_PROGRESS, NEEDS_INFO})
assert CLOSED not in OPEN_FOR_DOCUMENTS


class DossierNotOpen(Exception):
    """The dossier is decided or closed: the owner cannot add to it any more."""


class TooManyAttachments(Exception):
    pass


class UnknownRequestedDocument(Exception):
    """The upload names a requested document the dossier's type does not ask for."""

    def __init__(self, key: str, known: tuple[str, ...]) -> None:
        super().__init__(key)
        self.key = key
        self.known = known


class NotWaitingForAnswer(Exception):
    """The dossier is not (or no longer) waiting for the owner's answer."""

    def __init__(self, current: str) -> None:
        super().__init__(current)
        self.current = current


class DocumentDesk:
    def __init__(self, desk: DossierDesk, requested: RequestedDocuments | None = None) -> None:
        self.desk = desk
        self.storage = desk.storage
        self.requested = requested

    def requested_for(self, dossier: Dossier) -> tuple[RequestedDocument, ...]:
        return self.requested.for_type(dossier.type) if self.requested is not None else ()

    async def grant(self, reference: str, email: str, conversation_id: str) -> Dossier | None:
        """The owner proved the dossier is theirs in this conversation; None when not."""
        dossier = await self.desk.find_for_owner(reference, email)
        if dossier is None:
            return None
        expires = self.desk.clock() + timedelta(hours=GRANT_HOURS)
        await self.storage.grant_conversation(dossier.reference, conversation_id, expires)
        return dossier

    async def owners_dossier(self, reference: str, conversation_id: str) -> Dossier:
        normalised = normalise_reference(reference)
        dossier = await self.storage.get(normalised) if normalised else None
        if dossier is None or not conversation_id:
            raise DossierNotFound(reference)
        if dossier.conversation_id == conversation_id:
            return dossier
        if await self.storage.conversation_granted(dossier.reference, conversation_id,
                                                   self.desk.clock()):
            return dossier
        raise DossierNotFound(reference)

    async def add_owner_document(self, reference: str, conversation_id: str, name: str,
                                 data: bytes, requested_key: str | None = None) -> Attachment:
        """Raises DossierNotFound, DossierNotOpen, UnknownRequestedDocument,
        TooManyAttachments, DocumentRejected."""
        dossier = await self.owners_dossier(reference, conversation_id)
        if dossier.status not in OPEN_FOR_DOCUMENTS:
            raise DossierNotOpen(dossier.status)
        if requested_key is not None:
            known = tuple(document.id for document in self.requested_for(dossier))
            if requested_key not in known:
                raise UnknownRequestedDocument(requested_key, known)
        clean = await asyncio.to_thread(check_document, data)
        attachment = Attachment(
            id=secrets.token_urlsafe(12), reference=dossier.reference, seq=0,
            filename=display_name(name, clean.extension), content_type=clean.content_type,
            size=len(clean.content), sha256=hashlib.sha256(clean.content).hexdigest(),
            uploaded_by=OWNER, created_at=self.desk.clock(), requested_key=requested_key)
        stored = await self.storage.add_attachment(attachment, clean.content,
                                                   conversation_id=conversation_id,
                                                   max_count=MAX_ATTACHMENTS)
        if stored is None:
            raise TooManyAttachments(dossier.reference)
        return stored

    async def requested_status(self, reference: str, conversation_id: str
                               ) -> tuple[Dossier, list[tuple[RequestedDocument, bool]]]:
        """The owner's dossier and its type's requested documents (required ones first), each
        with whether an upload was assigned to it. Raises DossierNotFound."""
        dossier = await self.owners_dossier(reference, conversation_id)
        received = {a.requested_key for a in await self.storage.attachments(dossier.reference)}
        return dossier, [(document, document.id in received)
                         for document in self.requested_for(dossier)]

    async def answer(self, reference: str, conversation_id: str, text: str
                     ) -> tuple[Dossier, OwnerAnswer]:
        """The owner's answer: the dossier goes back to "in behandeling" (the officer's turn),
        with the usual status e-mail to the owner. Raises DossierNotFound, NotWaitingForAnswer,
        StaleStatus."""
        dossier = await self.owners_dossier(reference, conversation_id)
        if dossier.status != NEEDS_INFO:
            raise NotWaitingForAnswer(dossier.status)
        desk, now = self.desk, self.desk.clock()
        seq = dossier.version + 1
        mails = [desk.mail.status_change(dossier, IN_PROGRESS, None, seq, now)] \
            if desk.mail else []
        change = StatusChange(dossier.reference, seq, NEEDS_INFO, IN_PROGRESS, OWNER, None, now)
        after = replace(dossier, status=IN_PROGRESS, updated_at=now, version=seq)
        hooks = status_events(desk.webhooks, after, change) if desk.webhooks else []
        changed, answer = await self.storage.owner_answer(
            dossier.reference, text=text, from_status=NEEDS_INFO, to_status=IN_PROGRESS,
            conversation_id=conversation_id, now=now, mails=mails, webhooks=hooks)
        if mails:
            desk.mail_queued()
        if hooks:
            desk.webhook_queued()
        return changed, answer

    # --- officers ------------------------------------------------------------------------------
    async def for_officer(self, reference: str, officer: Officer
                          ) -> tuple[list[Attachment], list[OwnerAnswer]]:
        dossier = await self.desk.find_for_officer(reference, officer)
        return (await self.storage.attachments(dossier.reference),
                await self.storage.owner_answers(dossier.reference))

    async def download(self, reference: str, attachment_id: str, officer: Officer
                       ) -> tuple[Attachment, bytes]:
        dossier = await self.desk.find_for_officer(reference, officer)
        found = await self.storage.attachment_content(dossier.reference, attachment_id)
        if found is None:
            raise DossierNotFound(attachment_id)
        return found
