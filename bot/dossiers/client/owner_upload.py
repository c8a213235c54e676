"""An owner's document on its way to their dossier: what the web chat, the widget and the
messaging channels all send to the dossier service (`POST /api/dossiers/{reference}/documents`,
service token, the owner's conversation), and the outcome the owner is told about.

The service checks the conversation, the dossier and the file (bot/dossiers/service/
file_check.py) and stores it; the caller only reads the bytes (at most MAX_DOCUMENT_BYTES) and
turns the outcome's `key` into the Dutch text of content/dossier_documents.yml."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # the dossier service's limit (file_check.py)
NAME_HEADER = "X-Document-Name"
REASONS = frozenset({"empty", "too_large", "unsupported_type", "damaged", "too_many_pixels",
                     "pdf_active_content", "polyglot"})
DOSSIER_REFUSALS = frozenset({"dossier_not_open", "too_many_documents"})


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


async def send_document(target: UploadTarget, session: aiohttp.ClientSession, reference: str,
                        conversation: str, name: str, data: bytes) -> UploadOutcome:
    """Send the file to the dossier of `reference` for this conversation."""
    if not target.service_token:
        return UploadOutcome("unavailable", 503)
    url = f"{target.service_url}/api/dossiers/{quote(reference, safe='')}/documents"
    headers = {"Authorization": f"Bearer {target.service_token}",
               "X-Conversation-Id": conversation, NAME_HEADER: quote(name),
               "Content-Type": "application/octet-stream"}
    try:
        async with session.post(url, data=data, headers=headers,
                                timeout=aiohttp.ClientTimeout(total=target.timeout_seconds)
                                ) as response:
            body = await response.json(content_type=None)
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return UploadOutcome("unavailable", 503)
    return outcome_of(status, body if isinstance(body, dict) else {})


def outcome_text(texts: Mapping[str, str], key: str, **values: str) -> str:
    """The Dutch text for an outcome, with {reference} and {filename} filled in."""
    message = texts.get(key, texts.get("unavailable", ""))
    for name, value in values.items():
        message = message.replace("{" + name + "}", value)
    return message
