"""Telegram channel: `POST /webhooks/telegram/webhook` (set with `setWebhook(secret_token=…)`).

Refused before anything reaches the bot: a missing (401) or wrong (403) secret token header, and
anything but a private chat. Updates that are older than `max_age_seconds` or were handled
before (same `update_id`) are acknowledged with 200 but dropped: Telegram retries every update
that gets an error, and the ones behind it wait, so an error would only delay newer messages.
Buttons become an inline keyboard; a payload longer than Telegram's 64 bytes is sent as its
number and looked up again in the conversation when the owner taps it.

A photo or a file (a PDF, …) the owner sends is not a message for the bot: it is fetched with
the Bot API (`getFile`, then the file's URL; at most 10 MB) and added to the dossier of this
conversation (connectors/documents.py); its caption is not read. `api_url` (credentials,
optional) points at another Bot API server, such as a local one.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.choices import URL_PAYLOAD, buttons_of
from connectors.documents import ChannelDocuments
from connectors.messaging import (
    ChannelHttpClient,
    ChannelSendError,
    FileTooLarge,
    officer_text,
    run_turn,
)
from connectors.replay_cache import replay_cache_from_env
from connectors.webhook_security import is_stale, tokens_match

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
API = "https://api.telegram.org"
MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
SENDER_PREFIX = "tg-"
FILE_KINDS = ("document", "photo", "video", "audio", "voice", "animation", "video_note",
              "sticker")  # every kind the owner can send as a file; the service checks content


def keyboard(buttons: list[dict[str, str]]) -> dict[str, Any]:
    rows = []
    for number, button in enumerate(buttons, start=1):
        payload = button["payload"]
        if URL_PAYLOAD.fullmatch(payload):
            rows.append([{"text": button["title"], "url": payload}])
        elif len(payload.encode("utf-8")) <= MAX_CALLBACK_BYTES:
            rows.append([{"text": button["title"], "callback_data": payload}])
        else:  # looked up by number when tapped
            rows.append([{"text": button["title"], "callback_data": str(number)}])
    return {"inline_keyboard": rows}


class TelegramOutput(OutputChannel):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, access_token: str, client: ChannelHttpClient, api_url: str = API
                 ) -> None:
        self._url = f"{api_url}/bot{access_token}"
        self._client = client

    async def call(self, method: str, body: dict[str, Any]) -> None:
        try:
            await self._client.post(f"{self._url}/{method}", json=body)
        except ChannelSendError as error:
            logger.warning("telegram: %s failed (%s)", method, error)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        text = officer_text(message).strip()
        buttons = buttons_of(message)
        if not text and not buttons:
            return
        body: dict[str, Any] = {"chat_id": recipient_id.removeprefix(SENDER_PREFIX),
                                "text": (text or "…")[:MAX_TEXT]}
        if buttons:
            body["reply_markup"] = keyboard(buttons)
        await self.call("sendMessage", body)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, **kwargs})


def incoming(update: Mapping[str, Any]) -> tuple[str, str, float | None, str | None] | None:
    """(chat id, text, sent at, callback query id) of a private-chat message or button tap."""
    query = update.get("callback_query")
    if isinstance(query, Mapping):
        message, text, sent_at = query.get("message") or {}, query.get("data"), None
        query_id = str(query.get("id") or "") or None
    else:
        message = update.get("message") or {}
        if not isinstance(message, Mapping):  # a forged update: not a message at all
            return None
        text, sent_at, query_id = message.get("text"), message.get("date"), None
    chat = message.get("chat") if isinstance(message, Mapping) else None
    if not isinstance(chat, Mapping) or chat.get("type") != "private" or \
            not isinstance(text, str) or not isinstance(chat.get("id"), int):
        return None
    return str(chat["id"]), text, _seconds(sent_at), query_id


def incoming_file(update: Mapping[str, Any]) -> tuple[str, dict[str, Any], float | None] | None:
    """(chat id, the file's object, sent at) of a private-chat message carrying a file: for a
    photo the largest size Telegram offers."""
    message = update.get("message")
    if not isinstance(message, Mapping):
        return None
    chat = message.get("chat")
    if not isinstance(chat, Mapping) or chat.get("type") != "private" or \
            not isinstance(chat.get("id"), int):
        return None
    for kind in FILE_KINDS:
        found = message.get(kind)
        if kind == "photo" and isinstance(found, list):
            sizes = [size for size in found if isinstance(size, Mapping)]
            found = max(sizes, key=lambda size: _number(size.get("file_size"))
                        or _number(size.get("width")) * _number(size.get("height")),
                        default=None)
        if isinstance(found, Mapping) and isinstance(found.get("file_id"), str):
            return str(chat["id"]), dict(found), _seconds(message.get("date"))
    return None


def _number(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _seconds(value: Any) -> float | None:
    """A message date as a float; None for anything else (also ints too big for a float)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        when = float(value)
    except OverflowError:
        return None
    return when if math.isfinite(when) else None


class TelegramInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(str(credentials.get("access_token") or ""),
                   str(credentials.get("secret_token") or ""),
                   float(credentials.get("max_age_seconds") or 300),
                   api_url=str(credentials.get("api_url") or API))

    def __init__(self, access_token: str, secret_token: str, max_age_seconds: float = 300,
                 client: ChannelHttpClient | None = None, api_url: str = API,
                 documents: ChannelDocuments | None = None) -> None:
        if not access_token or not secret_token:
            raise ValueError("telegram: access_token and secret_token are required")
        self.access_token = access_token
        self.secret_token = secret_token
        self.max_age_seconds = max_age_seconds
        self.client = client or ChannelHttpClient()
        self.api_url = api_url.rstrip("/")
        self.documents = documents or ChannelDocuments.from_env()
        self.replays = replay_cache_from_env("telegram")

    def get_output_channel(self) -> OutputChannel:
        return TelegramOutput(self.access_token, self.client, self.api_url)

    async def fetch_file(self, file: Mapping[str, Any], limit: int) -> tuple[str, bytes]:
        """The bytes of a file the owner sent (Bot API getFile, then the file's URL)."""
        if _number(file.get("file_size")) > limit:
            raise FileTooLarge(str(file.get("file_id")))
        found = await self.client.post(f"{self.api_url}/bot{self.access_token}/getFile",
                                       json={"file_id": file["file_id"]})
        result = found.get("result") if isinstance(found, Mapping) else None
        if not isinstance(result, Mapping):
            raise ChannelSendError("getFile: no result")
        path = result.get("file_path")
        if not isinstance(path, str) or not path or ".." in path.split("/"):
            raise ChannelSendError("getFile: no file_path")
        if _number(result.get("file_size")) > limit:
            raise FileTooLarge(path)
        data = await self.client.get_bytes(
            f"{self.api_url}/file/bot{self.access_token}/{path}", limit)
        name = file.get("file_name")
        return (name if isinstance(name, str) else ""), data

    async def _fresh(self, update: Mapping[str, Any], sent_at: float | None) -> str | None:
        """Why this update is dropped (stale or handled before), or None."""
        if sent_at is not None and is_stale(sent_at, self.max_age_seconds):
            return "stale"
        update_id = update.get("update_id")
        if not isinstance(update_id, int) or \
                await self.replays.seen_before(f"update:{update_id}"):
            return "duplicate"
        return None

    async def _file(self, update: Mapping[str, Any], agent: Any) -> HTTPResponse:
        """A photo or file the owner sent: added to their dossier, the outcome sent back."""
        found = incoming_file(update)
        if found is None:
            return response.json({"status": "ignored"})
        chat_id, file, sent_at = found
        dropped = await self._fresh(update, sent_at)
        if dropped is not None:
            return response.json({"status": "ignored", "reason": dropped})
        sender = SENDER_PREFIX + chat_id

        async def fetch(limit: int) -> tuple[str, bytes]:
            return await self.fetch_file(file, limit)

        text = await self.documents.take(agent, sender, fetch)
        await TelegramOutput(self.access_token, self.client, self.api_url).send_response(
            sender, {"text": text})
        return response.json({"status": "ok"})

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint("telegram_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            given = request.headers.get(SECRET_HEADER)
            if given is None:
                return response.json({"error": "unauthorized"}, status=401)
            if not tokens_match(given, self.secret_token):
                return response.json({"error": "forbidden"}, status=403)
            update = request.json if isinstance(request.json, dict) else {}
            agent = getattr(request.app.ctx, "agent", None)
            found = incoming(update)
            if found is None:
                return await self._file(update, agent)
            chat_id, text, sent_at, query_id = found
            dropped = await self._fresh(update, sent_at)
            if dropped is not None:
                return response.json({"status": "ignored", "reason": dropped})
            output = TelegramOutput(self.access_token, self.client, self.api_url)
            if query_id:
                await output.call("answerCallbackQuery", {"callback_query_id": query_id})
            sender = SENDER_PREFIX + chat_id
            for message in await run_turn(agent, on_new_message, self.name(), sender, text):
                await output.send_response(sender, message)
            return response.json({"status": "ok"})

        return webhook
