"""An owner's document on its way to their dossier: what the web chat, the widget and the
messaging channels all send to the dossier service (`POST /api/dossiers/{reference}/documents`,
service token, the owner's conversation), and the outcome the owner is told about.

The service checks the conversation, the dossier and the file (bot/dossiers/service/
file_check.py) and stores it; the caller only reads the bytes (at most MAX_DOCUMENT_BYTES) and
turns the outcome's `key` into the Dutch text of content/dossier_documents.yml.

An upload may say which requested document it is (`requested_key`, the document's id in
content/requested_documents.yml; the service refuses a key the dossier's type does not ask
for). `missing_documents` asks the service which requested documents still lack an upload."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # the dossier service's limit (file_check.py)
NAME_HEADER = "X-Document-Name"
REQUESTED_HEADER = "X-Requested-Document"
REASONS = frozenset({"empty", "too_large", "unsupported_type", "damaged", "too_many_pixels",
                     "pdf_active_content", "polyglot"})
DOSSIER_REFUSALS = frozenset({"dossier_not_open", "too_many_documents",
                              "unknown_requested_document"})


@dataclass(frozen=True)
class UploadTarget:
    """Where documents go: the dossier service and its service token (empty: unavailable)."""

    service_url: str
    service_token: str
    timeout_seconds: float = 20.0


@dataclass(frozen=True)
class UploadOutcome:
    key: str  # a text id of content/dossier_documents.yml
    status: int  # the HTTP status the web app answers with
    filename: str = ""

    @property
    def ok(self) -> bool:
        return self.key == "added"


def outcome_of(status: int, body: Mapping[str, Any]) -> UploadOutcome:
    """The dossier service's answer as an outcome for the owner."""
    if status == 201:
        return UploadOutcome("added", 201, str(body.get("filename") or ""))
    reason = str(body.get("reason") or body.get("error") or "")
    if reason in REASONS or reason in DOSSIER_REFUSALS:
        return UploadOutcome(reason, 422)
    if status == 404:
        return UploadOutcome("no_dossier", 409)
    return UploadOutcome("unavailable", 503)


def _headers(target: UploadTarget, conversation: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {target.service_token}", "X-Conversation-Id": conversation}


async def send_document(target: UploadTarget, session: aiohttp.ClientSession, reference: str,
                        conversation: str, name: str, data: bytes,
                        requested_key: str | None = None) -> UploadOutcome:
    """Send the file to the dossier of `reference` for this conversation, as the requested
    document `requested_key` when given."""
    if not target.service_token:
        return UploadOutcome("unavailable", 503)
    url = f"{target.service_url}/api/dossiers/{quote(reference, safe='')}/documents"
    headers = {**_headers(target, conversation), NAME_HEADER: quote(name),
               "Content-Type": "application/octet-stream"}
    if requested_key:
        headers[REQUESTED_HEADER] = requested_key
    try:
        async with session.post(url, data=data, headers=headers,
                                timeout=aiohttp.ClientTimeout(total=target.timeout_seconds)
                                ) as response:
            body = await response.json(content_type=None)
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return UploadOutcome("unavailable", 503)
    return outcome_of(status, body if isinstance(body, dict) else {})


async def missing_documents(target: UploadTarget, session: aiohttp.ClientSession,
                            reference: str, conversation: str) -> list[str] | None:
    """The ids of the dossier's requested documents no upload was assigned to yet (required
    ones first); None when the service cannot tell (unreachable, not this conversation's)."""
    if not target.service_token:
        return None
    url = f"{target.service_url}/api/dossiers/{quote(reference, safe='')}/requested-documents"
    try:
        async with session.get(url, headers=_headers(target, conversation),
                               timeout=aiohttp.ClientTimeout(total=target.timeout_seconds)
                               ) as response:
            if response.status != 200:
                return None
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return None
    documents = body.get("documents") if isinstance(body, dict) else None
    if not isinstance(documents, list):
        return None
    return [str(d["key"]) for d in documents
            if isinstance(d, dict) and d.get("key") and not d.get("received")]


def outcome_text(texts: Mapping[str, str], key: str, **values: str) -> str:
    """The Dutch text for an outcome, with {reference} and {filename} filled in."""
    message = texts.get(key, texts.get("unavailable", ""))
    for name, value in values.items():
        message = message.replace("{" + name + "}", value)
    return message
