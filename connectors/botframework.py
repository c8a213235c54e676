"""Microsoft Teams through an outgoing webhook: `POST /webhooks/teams/webhook`.

Teams signs every request: `Authorization: HMAC <base64(HMAC-SHA256(key, raw body))>` where the
key is the base64-decoded security token Teams shows when the outgoing webhook is created. A
missing signature is refused with 401; a wrong one, an activity older than `max_age_seconds`
(or far in the future) and an activity id handled before with 403, all before the bot sees
anything. Teams expects the answer in the HTTP response (within 5 seconds), so the output
channel collects the turn and formats it as one reply activity; buttons become a numbered list.
An outgoing webhook cannot send later, so there is no push (no live hand-off in Teams).
Nor can it fetch a file the owner attaches (that needs a Bot Framework registration): a message
with a file gets the Dutch text saying so (content/dossier_documents.yml) and does not reach
the bot.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.choices import as_numbered_text, buttons_of
from connectors.documents import ChannelDocuments
from connectors.messaging import officer_text, run_turn
from connectors.replay_cache import replay_cache_from_env
from connectors.webhook_security import is_stale, teams_signature_valid

SENDER_PREFIX = "teams-"
_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def parse_timestamp(value: Any) -> float | None:
    """Seconds since the epoch of an ISO 8601 activity timestamp (Teams sends 7 decimals)."""
    if not isinstance(value, str):
        return None
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)", value)
    if match is None:
        return None
    zone = "+00:00" if match.group(3) == "Z" else match.group(3)
    fraction = "." + (match.group(2) or ".0")[1:7].ljust(6, "0")  # Python 3.10 wants 6 digits
    return datetime.fromisoformat(match.group(1) + fraction + zone).timestamp()


def has_file(activity: Mapping[str, Any]) -> bool:
    """Whether the owner attached a file or an image (Teams' own text/html copy aside)."""
    attachments = activity.get("attachments")
    return isinstance(attachments, list) and any(
        isinstance(item, Mapping) and item.get("contentType") != "text/html"
        for item in attachments)


def sender_of(activity: Mapping[str, Any]) -> str | None:
    """A pseudonymous conversation id per person and Teams conversation."""
    raw_person, raw_conversation = activity.get("from"), activity.get("conversation")
    person: Mapping[str, Any] = raw_person if isinstance(raw_person, Mapping) else {}
    conversation: Mapping[str, Any] = \
        raw_conversation if isinstance(raw_conversation, Mapping) else {}
    who = person.get("aadObjectId") or person.get("id")
    where = conversation.get("id")
    if not isinstance(who, str) or not isinstance(where, str):
        return None
    digest = hashlib.sha256(f"{where}\n{who}".encode()).hexdigest()[:32]
    return SENDER_PREFIX + digest


class TeamsReply(OutputChannel):
    """Formats a turn's messages as the one reply activity of the webhook response."""

    @classmethod
    def name(cls) -> str:
        return "teams"

    def __init__(self) -> None:
        self.parts: list[str] = []

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        text = as_numbered_text(officer_text(message), buttons_of(message)).strip()
        if text:
            self.parts.append(text)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, **kwargs})

    def activity(self) -> dict[str, Any]:
        return {"type": "message", "text": "\n\n".join(self.parts)}


class TeamsWebhookInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "teams"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(str(credentials.get("security_token") or ""),
                   float(credentials.get("max_age_seconds") or 300))

    def __init__(self, security_token: str, max_age_seconds: float = 300,
                 documents: ChannelDocuments | None = None) -> None:
        if not security_token:
            raise ValueError("teams: security_token is required")
        self.security_token = security_token
        self.max_age_seconds = max_age_seconds
        self.documents = documents or ChannelDocuments.from_env()
        self.replays = replay_cache_from_env("teams")

    def get_output_channel(self) -> OutputChannel | None:
        return None  # an outgoing webhook can only answer the request it got

    async def _refusal(self, activity: Mapping[str, Any]) -> HTTPResponse | None:
        sent_at = parse_timestamp(activity.get("timestamp"))
        if sent_at is None or is_stale(sent_at, self.max_age_seconds):
            return response.json({"error": "stale"}, status=403)
        activity_id = activity.get("id")
        if not isinstance(activity_id, str) or not activity_id or \
                await self.replays.seen_before(f"activity:{activity_id}"):
            return response.json({"error": "replayed"}, status=403)
        return None

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint("teams_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            authorization = request.headers.get("Authorization")
            if not authorization:
                return response.json({"error": "unauthorized"}, status=401)
            if not teams_signature_valid(self.security_token, request.body, authorization):
                return response.json({"error": "forbidden"}, status=403)
            activity = request.json if isinstance(request.json, dict) else {}
            refusal = await self._refusal(activity)
            if refusal is not None:
                return refusal
            sender = sender_of(activity)
            text = _MENTION.sub(" ", activity.get("text") or "") \
                if isinstance(activity.get("text"), str) else ""
            reply = TeamsReply()
            if sender is not None and activity.get("type") == "message" and has_file(activity):
                await reply.send_text_message(sender, self.documents.text("files_not_supported"))
            elif sender is not None and activity.get("type") == "message" and text.strip():
                agent = getattr(request.app.ctx, "agent", None)
                for message in await run_turn(agent, on_new_message, self.name(), sender, text):
                    await reply.send_response(sender, message)
            return response.json(reply.activity())

        return webhook
