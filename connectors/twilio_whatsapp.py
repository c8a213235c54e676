"""WhatsApp through Twilio: `POST /webhooks/twilio_whatsapp/webhook`.

Refused before anything reaches the bot: no `X-Twilio-Signature` (401); a signature that does
not match Twilio's algorithm over `webhook_url` (the public URL configured at Twilio, as the
request URL behind a reverse proxy differs) and the POST parameters, another Twilio account, or
a message id handled before (403). WhatsApp messages through Twilio have no buttons, so buttons
become a numbered list and the owner's number is looked up again (connectors/choices.py).
Replies are sent with Twilio's Messages API; the webhook answers with an empty TwiML response.

A photo or PDF the owner sends (`NumMedia`, `MediaUrl0`) is not a message for the bot: it is
downloaded from Twilio with the account's credentials (only from `media_url_prefix`, Twilio's
API by default; at most 10 MB) and added to the dossier of this conversation
(connectors/documents.py); a caption with it is not read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.choices import as_numbered_text, buttons_of
from connectors.documents import ChannelDocuments
from connectors.messaging import ChannelHttpClient, ChannelSendError, officer_text, run_turn
from connectors.replay_cache import replay_cache_from_env
from connectors.webhook_security import tokens_match, twilio_signature_valid

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
API = "https://api.twilio.com/2010-04-01"
MAX_BODY_CHARS = 1500  # WhatsApp through Twilio takes 1600 characters per message
SENDER_PREFIX = "wa-"
MEDIA_URL_PREFIX = "https://api.twilio.com/"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
_PHONE = re.compile(r"whatsapp:\+(\d{6,15})")


def whatsapp_address(number: str) -> str:
    number = number.strip()
    return number if number.startswith("whatsapp:") else f"whatsapp:{number}"


def chunks(text: str, size: int = MAX_BODY_CHARS) -> list[str]:
    """Split a long text at paragraph or line ends so every part fits one message."""
    parts: list[str] = []
    while len(text) > size:
        cut = max(text.rfind("\n", 0, size), text.rfind(" ", 0, size))
        cut = cut if cut > size // 2 else size
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*parts, text] if text else parts


def signed_params(request: Request) -> dict[str, list[str]]:
    """The POST parameters as Twilio signed them: with the empty ones (a photo without a
    caption has `Body=`), which Sanic's `request.form` leaves out."""
    try:
        return parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        return {}


class TwilioWhatsAppOutput(OutputChannel):
    @classmethod
    def name(cls) -> str:
        return "twilio_whatsapp"

    def __init__(self, account_sid: str, auth_token: str, from_number: str,
                 client: ChannelHttpClient) -> None:
        self._url = f"{API}/Accounts/{account_sid}/Messages.json"
        self._auth = (account_sid, auth_token)
        self._from = whatsapp_address(from_number)
        self._client = client

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        text = as_numbered_text(officer_text(message), buttons_of(message)).strip()
        to = "whatsapp:+" + recipient_id.removeprefix(SENDER_PREFIX)
        for part in chunks(text):
            try:
                await self._client.post(self._url, data={"From": self._from, "To": to,
                                                         "Body": part}, auth=self._auth)
            except ChannelSendError as error:
                logger.warning("twilio whatsapp: sending failed (%s)", error)
                return

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, **kwargs})


class TwilioWhatsAppInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "twilio_whatsapp"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        values = [str(credentials.get(key) or "") for key in
                  ("account_sid", "auth_token", "whatsapp_number", "webhook_url")]
        return cls(values[0], values[1], values[2], values[3])

    def __init__(self, account_sid: str, auth_token: str, whatsapp_number: str,
                 webhook_url: str, client: ChannelHttpClient | None = None,
                 media_url_prefix: str = MEDIA_URL_PREFIX,
                 documents: ChannelDocuments | None = None) -> None:
        if not all((account_sid, auth_token, whatsapp_number, webhook_url)):
            raise ValueError("twilio_whatsapp: account_sid, auth_token, whatsapp_number and "
                             "webhook_url are required")
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.whatsapp_number = whatsapp_number
        self.webhook_url = webhook_url
        self.client = client or ChannelHttpClient()
        self.media_url_prefix = media_url_prefix
        self.documents = documents or ChannelDocuments.from_env()
        self.replays = replay_cache_from_env("twilio_whatsapp")

    def media_url(self, form: Any) -> str | None:
        """The first file of the message, when it comes from Twilio."""
        try:
            count = int(form.get("NumMedia") or 0)
        except ValueError:
            return None
        url = form.get("MediaUrl0") if count > 0 else None
        if not isinstance(url, str) or not url.startswith(self.media_url_prefix):
            return None
        return url

    async def fetch_media(self, url: str, limit: int) -> tuple[str, bytes]:
        return "", await self.client.get_bytes(url, limit, auth=(self.account_sid,
                                                                  self.auth_token))

    def get_output_channel(self) -> OutputChannel:
        return TwilioWhatsAppOutput(self.account_sid, self.auth_token, self.whatsapp_number,
                                    self.client)

    async def _refusal(self, request: Request) -> HTTPResponse | None:
        signature = request.headers.get(SIGNATURE_HEADER)
        if signature is None:
            return response.json({"error": "unauthorized"}, status=401)
        params = signed_params(request)
        if not twilio_signature_valid(self.auth_token, self.webhook_url, params, signature):
            return response.json({"error": "forbidden"}, status=403)
        if not tokens_match(request.form.get("AccountSid"), self.account_sid):
            return response.json({"error": "forbidden"}, status=403)
        message_sid = request.form.get("MessageSid") or request.form.get("SmsMessageSid")
        if not message_sid or await self.replays.seen_before(f"message:{message_sid}"):
            return response.json({"error": "replayed"}, status=403)
        return None

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint("twilio_whatsapp_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refusal = await self._refusal(request)
            if refusal is not None:
                return refusal
            phone = _PHONE.fullmatch(request.form.get("From") or "")
            text = request.form.get("Body")
            media = self.media_url(request.form)
            agent = getattr(request.app.ctx, "agent", None)
            output = self.get_output_channel()
            if phone is not None and media is not None:
                sender = SENDER_PREFIX + phone.group(1)

                async def fetch(limit: int) -> tuple[str, bytes]:
                    assert media is not None
                    return await self.fetch_media(media, limit)

                reply = await self.documents.take(agent, sender, fetch)
                await output.send_response(sender, {"text": reply})
            elif phone is not None and isinstance(text, str) and text.strip():
                sender = SENDER_PREFIX + phone.group(1)
                for message in await run_turn(agent, on_new_message, self.name(), sender, text):
                    await output.send_response(sender, message)
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return webhook
