"""`POST /api/chat/documents` (chat page) and `POST /api/widget/documents` (widget): the owner
adds a document to their dossier.

The body is the file itself (the browser's `fetch(…, {body: file})`), its name in the
`X-Document-Name` header (percent-encoded). On the chat page that custom header also keeps
other sites out: a cross-site form cannot set it, a cross-site fetch with it needs a CORS
permission the chat route never gives, and the session cookie is SameSite=Strict besides. The
widget's route answers CORS for the widget's allowed sites only, and names its conversation
with the id the widget's channel signed (never a cookie).

Which dossier: the one the assistant offered the upload for in this conversation (the slot
`dossier_document_reference`, set only by the action server after the owner submitted the
dossier here or passed the e-mail check). The dossier service checks again that this
conversation may add to it, checks the file and stores it; this module only streams the body
(at most 10 MB, whatever Content-Length says) and answers in Dutch
(content/dossier_documents.yml).

Which requested document it is: the button the owner chose (`X-Requested-Document`, the
document's id in content/requested_documents.yml; absent for "een ander document"), passed on
to the service, which refuses an id the dossier's type does not ask for."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import aiohttp
from aiohttp import web

from bot.dossiers.client.owner_upload import (
    NAME_HEADER,
    REQUESTED_HEADER,
    UploadTarget,
    outcome_text,
    send_document,
)
from bot.web.chat import RASA_KEY
from bot.web.document_settings import DOCUMENT_SETTINGS_KEY, MAX_DOCUMENT_BYTES, DocumentSettings
from bot.web.feedback_api import cors_headers
from bot.web.rasa_client import RasaUnavailable
from bot.web.widget_settings import SETTINGS_KEY
from bot.webcore.conversation_ids import issued_by_widget
from bot.webcore.owner_session import session_id
from bot.webcore.texts import load_texts

REFERENCE_SLOT = "dossier_document_reference"
CONVERSATION_HEADER = "X-Conversation-Id"
CHUNK = 64 * 1024
REQUESTED_KEY = re.compile(r"[a-z0-9_]{1,64}")  # the schema's document ids
UPLOAD_SESSION_KEY = web.AppKey("document_http_session", aiohttp.ClientSession)


def offered_reference(events: list[dict[str, Any]]) -> str | None:
    """The dossier the assistant last offered an upload for (a restart forgets it)."""
    reference: str | None = None
    for event in events:
        if event.get("event") == "restart":
            reference = None
        elif event.get("event") == "slot" and event.get("name") == REFERENCE_SLOT:
            value = event.get("value")
            reference = value if isinstance(value, str) and value else None
    return reference


async def read_capped(request: web.Request, limit: int) -> bytes | None:
    parts: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(CHUNK):
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)


def _answer(texts: Mapping[str, str], key: str, ok: bool = False, status: int = 200,
            **values: str) -> web.Response:
    return web.json_response({"ok": ok, "message": outcome_text(texts, key, **values)},
                             status=status, headers={"Cache-Control": "no-store"})


async def upload(request: web.Request) -> web.Response:
    """The chat page: the conversation is the session cookie's."""
    conversation = session_id(request)
    if conversation is None or NAME_HEADER not in request.headers:
        raise web.HTTPForbidden()
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise web.HTTPForbidden()
    return await _upload(request, conversation, {})


async def widget_upload(request: web.Request) -> web.Response:
    """`POST /api/widget/documents`: the widget on a municipal site. The conversation is the
    id the widget's channel signed (`X-Conversation-Id`), from an allowed origin only."""
    widget = request.app[SETTINGS_KEY]
    if not widget.origin_allowed(request):
        raise web.HTTPForbidden()
    headers = cors_headers(request, widget)
    conversation = request.headers.get(CONVERSATION_HEADER)
    if NAME_HEADER not in request.headers or \
            not issued_by_widget(conversation, widget.conversation_key):
        raise web.HTTPForbidden(headers=headers)
    assert isinstance(conversation, str)
    return await _upload(request, conversation, headers)


async def widget_preflight(request: web.Request) -> web.Response:
    widget = request.app[SETTINGS_KEY]
    if not widget.origin_allowed(request):
        raise web.HTTPForbidden()
    return web.Response(status=204, headers={
        **cors_headers(request, widget), "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers":
            f"Content-Type, {NAME_HEADER}, {CONVERSATION_HEADER}, {REQUESTED_HEADER}",
        "Access-Control-Max-Age": "600"})


async def _upload(request: web.Request, conversation: str,
                  headers: Mapping[str, str]) -> web.Response:
    response = await _forwarded(request, conversation)
    response.headers.update(headers)
    return response


async def _forwarded(request: web.Request, conversation: str) -> web.Response:
    settings = request.app[DOCUMENT_SETTINGS_KEY]
    texts = load_texts(settings.content_dir / "dossier_documents.yml")
    try:
        name = unquote(request.headers[NAME_HEADER], errors="strict")[:300]
    except UnicodeDecodeError:
        name = ""
    requested_key = request.headers.get(REQUESTED_HEADER, "").strip() or None
    if requested_key is not None and not REQUESTED_KEY.fullmatch(requested_key):
        return _answer(texts, "unknown_requested_document", status=422)
    data = await read_capped(request, MAX_DOCUMENT_BYTES)
    if data is None:
        return _answer(texts, "too_large", status=413)
    try:
        reference = offered_reference(await request.app[RASA_KEY].events(conversation))
    except RasaUnavailable:
        return _answer(texts, "unavailable", status=503)
    if reference is None:
        return _answer(texts, "no_dossier", status=409)
    target = UploadTarget(settings.service_url, settings.service_token,
                          settings.timeout_seconds)
    outcome = await send_document(target, request.app[UPLOAD_SESSION_KEY], reference,
                                  conversation, name, data, requested_key)
    return _answer(texts, outcome.key, ok=outcome.ok, status=outcome.status,
                   reference=reference, filename=outcome.filename)


async def _session(app: web.Application) -> AsyncIterator[None]:
    app[UPLOAD_SESSION_KEY] = aiohttp.ClientSession()
    yield
    await app[UPLOAD_SESSION_KEY].close()


def setup_document_routes(app: web.Application, content_dir: Path,
                          env: Mapping[str, str]) -> None:
    app[DOCUMENT_SETTINGS_KEY] = DocumentSettings.from_env(env, content_dir)
    app.cleanup_ctx.append(_session)
    app.router.add_post("/api/chat/documents", upload)
    app.router.add_post("/api/widget/documents", widget_upload)
    app.router.add_route("OPTIONS", "/api/widget/documents", widget_preflight)
