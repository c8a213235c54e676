"""HTTP routes of owners' documents and answers (registered by app.py; see
docs/dossier-documents.md).

Owner routes take the service token (the action server and the web app) and the owner's
conversation in `X-Conversation-Id`; the service checks that this conversation may add to the
dossier (document_desk.py). Officer routes take an officer token like the rest of the API."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from bot.dossiers.service.auth import (
    Officer,
    OfficerDirectory,
    bearer_token,
    requesting_officer,
    token_matches,
)
from bot.dossiers.service.document_desk import (
    DocumentDesk,
    DossierNotOpen,
    NotWaitingForAnswer,
    TooManyAttachments,
    UnknownRequestedDocument,
)
from bot.dossiers.service.documents import ascii_name
from bot.dossiers.service.file_check import MAX_DOCUMENT_BYTES, DocumentRejected
from bot.dossiers.service.ratelimit import LookupLimiter
from bot.dossiers.service.storage import StaleStatus

CONVERSATION = "X-Conversation-Id"
DOCUMENT_NAME = "X-Document-Name"
REQUESTED_DOCUMENT = "X-Requested-Document"  # which requested document the upload is
MAX_REQUESTED_KEY = 64
MAX_CONVERSATION_ID = 200
MAX_ANSWER = 2000
CHUNK = 64 * 1024


def _error(status: int, code: str, **extra: Any) -> web.Response:
    return web.json_response({"error": code, **extra}, status=status)


async def read_capped(request: web.Request, limit: int) -> bytes | None:
    """The body, read in chunks; None as soon as it passes `limit` (Content-Length is not
    believed: a chunked or lying upload stops at the limit all the same)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(CHUNK):
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)


class DocumentHandlers:
    def __init__(self, documents: DocumentDesk, service_token: str, officers: OfficerDirectory,
                 limiter: LookupLimiter) -> None:
        self.documents = documents
        self.service_token = service_token
        self.officers = officers
        self.limiter = limiter

    def _conversation(self, request: web.Request) -> str:
        if not token_matches(bearer_token(request), self.service_token):
            raise web.HTTPUnauthorized(text='{"error": "unauthorized"}',
                                       content_type="application/json")
        conversation = request.headers.get(CONVERSATION, "").strip()
        if not conversation or len(conversation) > MAX_CONVERSATION_ID:
            raise web.HTTPBadRequest(text='{"error": "conversation_id_required"}',
                                     content_type="application/json")
        return conversation

    def _officer(self, request: web.Request) -> Officer:
        return requesting_officer(request, self.officers)

    @staticmethod
    async def _json(request: web.Request) -> dict[str, Any]:
        raw = await read_capped(request, 16 * 1024)
        try:
            body = json.loads(raw or b"")
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text='{"error": "invalid_json"}',
                                     content_type="application/json")
        return body

    async def grant(self, request: web.Request) -> web.Response:
        """POST {"email": ...}: the owner proved in this conversation that it is their dossier."""
        conversation = self._conversation(request)
        reference = request.match_info["reference"].strip().upper()[:40]
        key = f"grant|{reference}|{conversation}"
        if not (await self.limiter.check(key)).allowed:
            return _error(429, "too_many_requests")
        email = (await self._json(request)).get("email")
        if not isinstance(email, str) or not email.strip():
            return _error(400, "email_required")
        dossier = await self.documents.grant(reference, email, conversation)
        if dossier is None:
            return _error(404, "not_found")
        return web.json_response({"reference": dossier.reference}, status=201)

    async def upload(self, request: web.Request) -> web.Response:
        conversation = self._conversation(request)
        try:
            name = unquote(request.headers.get(DOCUMENT_NAME, ""), errors="strict")[:300]
        except UnicodeDecodeError:
            name = ""
        requested_key = request.headers.get(REQUESTED_DOCUMENT, "").strip() or None
        if requested_key is not None and len(requested_key) > MAX_REQUESTED_KEY:
            return _error(400, "unknown_requested_document", requested_key=requested_key[:64],
                          known=[])
        data = await read_capped(request, MAX_DOCUMENT_BYTES)
        if data is None:
            return _error(413, "invalid_document", reason="too_large")
        try:
            attachment = await self.documents.add_owner_document(
                request.match_info["reference"], conversation, name, data, requested_key)
        except UnknownRequestedDocument as unknown:
            return _error(400, "unknown_requested_document", requested_key=unknown.key,
                          known=list(unknown.known))
        except DocumentRejected as rejected:
            return _error(422, "invalid_document", reason=rejected.code)
        except DossierNotOpen:
            return _error(409, "dossier_not_open")
        except TooManyAttachments:
            return _error(409, "too_many_documents")
        return web.json_response(attachment.as_dict(), status=201)

    async def requested(self, request: web.Request) -> web.Response:
        """The requested documents of the owner's dossier and which ones arrived."""
        conversation = self._conversation(request)
        dossier, documents = await self.documents.requested_status(
            request.match_info["reference"], conversation)
        return web.json_response({
            "reference": dossier.reference, "type": dossier.type,
            "documents": [{"key": document.id, "required": document.required,
                           "received": received} for document, received in documents]})

    async def answer(self, request: web.Request) -> web.Response:
        conversation = self._conversation(request)
        text = (await self._json(request)).get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_ANSWER:
            return _error(422, "invalid_answer")
        try:
            dossier, answer = await self.documents.answer(request.match_info["reference"],
                                                          conversation, text.strip())
        except NotWaitingForAnswer as exc:
            return _error(409, "not_waiting_for_answer", current=exc.current)
        except StaleStatus:
            return _error(409, "status_changed_concurrently")
        return web.json_response({**dossier.owner_view(), "answer": answer.as_dict()},
                                 status=201)

    async def listing(self, request: web.Request) -> web.Response:
        attachments, answers = await self.documents.for_officer(
            request.match_info["reference"], self._officer(request))
        return web.json_response({"attachments": [a.as_dict() for a in attachments],
                                  "owner_answers": [a.as_dict() for a in answers]})

    async def download(self, request: web.Request) -> web.Response:
        attachment, content = await self.documents.download(
            request.match_info["reference"], request.match_info["attachment"],
            self._officer(request))
        return web.Response(body=content, headers={
            "Content-Type": attachment.content_type,
            "Content-Disposition": f'attachment; filename="{ascii_name(attachment.filename)}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox"})


def document_routes(h: DocumentHandlers) -> Iterable[web.RouteDef]:
    ref = "/api/dossiers/{reference}"
    return [
        web.post(ref + "/owner-grants", h.grant),
        web.post(ref + "/documents", h.upload),
        web.get(ref + "/requested-documents", h.requested),
        web.post(ref + "/owner-answers", h.answer),
        web.get(ref + "/documents", h.listing),
        web.get(ref + "/documents/{attachment}", h.download),
    ]
