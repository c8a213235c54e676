"""A photo or PDF the owner sends on Telegram or WhatsApp, taken as a document of their dossier.

The dossier is the one the assistant offered documents for in this conversation (the slot
`dossier_document_reference`, set by the action server after the owner submitted the dossier
here or passed the e-mail check), exactly as for the web chat's file button. Without one the
owner is told to look their dossier up first and nothing is downloaded. Otherwise the channel
downloads the file through its own API (at most 10 MB) and it goes to the dossier service the
way the web chat's upload does (bot/dossiers/client/owner_upload.py): the service checks the
conversation, the dossier and the file, and the owner reads the same Dutch outcome
(content/dossier_documents.yml).

Which requested document it is: a message cannot say, so the file stays unassigned unless only
one of the dossier type's requested documents has not arrived yet; then it is taken as that one.

Files count against the web chat's upload limit per conversation
(UPLOAD_CONVERSATION_RATE_LIMIT, 10/600), in Redis in the production profile (bot/ratelimit.py);
past it the owner is told to wait and nothing is downloaded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.dossiers.client.owner_upload import (
    MAX_DOCUMENT_BYTES,
    UploadTarget,
    missing_documents,
    outcome_text,
    send_document,
)
from bot.ratelimit import (
    UPLOAD_CONVERSATION_DEFAULT,
    UPLOAD_CONVERSATION_ENV,
    InMemoryRateLimiter,
    Limit,
    RateLimiter,
    build_limiter,
)
from bot.webcore.texts import load_texts
from connectors.messaging import ChannelSendError, FileTooLarge
from connectors.settings import RasaSettings, rasa_settings

REFERENCE_SLOT = "dossier_document_reference"
# (limit in bytes) -> (the owner's file name or "", the bytes); raises FileTooLarge or
# ChannelSendError
Fetch = Callable[[int], Awaitable[tuple[str, bytes]]]


async def offered_reference(agent: Any, sender_id: str) -> str | None:
    """The dossier this conversation may add documents to, from its tracker."""
    store = getattr(agent, "tracker_store", None)
    tracker = await store.retrieve(sender_id) if store is not None else None
    if tracker is None:
        return None
    value = tracker.current_slot_values().get(REFERENCE_SLOT)
    return value if isinstance(value, str) and value else None


def _default_limiter() -> RateLimiter:
    return InMemoryRateLimiter(Limit.parse(UPLOAD_CONVERSATION_DEFAULT))


@dataclass(frozen=True)
class ChannelDocuments:
    target: UploadTarget
    content_dir: Path
    limiter: RateLimiter = field(default_factory=_default_limiter)  # per conversation

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ChannelDocuments:
        """The same DOSSIER_SERVICE_URL, DOSSIER_SERVICE_TOKEN and CONTENT_DIR as the web app
        and the action server, and the web app's UPLOAD_CONVERSATION_RATE_LIMIT (one Redis
        namespace with the web app's in the production profile)."""
        settings = rasa_settings() if env is None else RasaSettings.from_env(env)
        limiter = build_limiter(settings.upload_limit, UPLOAD_CONVERSATION_ENV.lower(),
                                settings.shared_state)
        return cls(UploadTarget(settings.dossier_service_url, settings.dossier_service_token),
                   settings.content_dir, limiter)

    def text(self, key: str, **values: str) -> str:
        texts = load_texts(self.content_dir / "dossier_documents.yml")
        return outcome_text(texts, key, **values)

    async def take(self, agent: Any, sender_id: str, fetch: Fetch) -> str:
        """Download the owner's file and add it to their dossier; the Dutch text to send."""
        reference = await offered_reference(agent, sender_id)
        if reference is None:
            return self.text("no_dossier")
        if not await self.limiter.hit(sender_id):
            return self.text("rate_limited", reference=reference)
        try:
            name, data = await fetch(MAX_DOCUMENT_BYTES)
        except FileTooLarge:
            return self.text("too_large", reference=reference)
        except ChannelSendError:
            return self.text("not_received", reference=reference)
        async with aiohttp.ClientSession() as session:
            missing = await missing_documents(self.target, session, reference, sender_id)
            key = missing[0] if missing is not None and len(missing) == 1 else None
            outcome = await send_document(self.target, session, reference, sender_id, name,
                                          data, key)
        return self.text(outcome.key, reference=reference, filename=outcome.filename)
