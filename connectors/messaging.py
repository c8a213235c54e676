"""What the messaging channels (Telegram, WhatsApp, Teams) share.

* `ChannelHttpClient`: the one aiohttp client their output channels send with (timeouts, one
  session per event loop, errors raised as `ChannelSendError`), also for downloading a file the
  owner sent (at most `limit` bytes, `FileTooLarge` beyond);
* `run_turn`: hands one owner message to the bot like the REST channel does (input cleaned,
  a numbered choice turned into its button's payload, payloads checked against the offered
  buttons, an apology when the bot produced nothing)
  and returns the bot's messages for the channel to deliver;
* `officer_text`: an officer's message during a hand-off, prefixed with who wrote it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from connectors.channel_texts import channel_texts
from connectors.choices import resolve_reply
from connectors.rest import finish_turn, prepare_message

logger = logging.getLogger(__name__)


class ChannelSendError(Exception):
    """A messaging API did not accept a message (network error, timeout or HTTP error)."""


class FileTooLarge(Exception):
    """A file the owner sent is larger than we take (known before or while downloading)."""


CHUNK = 64 * 1024
DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=60)


class ChannelHttpClient:
    def __init__(self, timeout_seconds: float = 10.0) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    def _current_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def post(self, url: str, *, json: Any = None, data: Mapping[str, str] | None = None,
                   auth: tuple[str, str] | None = None) -> Any:
        basic = aiohttp.BasicAuth(*auth) if auth else None
        try:
            async with self._current_session().post(url, json=json, data=data,
                                                    auth=basic) as response:
                if response.status >= 300:
                    raise ChannelSendError(f"HTTP {response.status}")
                return await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise ChannelSendError(type(error).__name__) from error

    async def get_bytes(self, url: str, limit: int,
                        auth: tuple[str, str] | None = None) -> bytes:
        """The body of `url` (redirects followed), read in chunks and never more than `limit`
        bytes, whatever Content-Length says."""
        basic = aiohttp.BasicAuth(*auth) if auth else None
        try:
            async with self._current_session().get(url, auth=basic,
                                                   timeout=DOWNLOAD_TIMEOUT) as response:
                if response.status >= 300:
                    raise ChannelSendError(f"HTTP {response.status}")
                if (response.content_length or 0) > limit:
                    raise FileTooLarge(url)
                parts: list[bytes] = []
                size = 0
                async for chunk in response.content.iter_chunked(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise FileTooLarge(url)
                    parts.append(chunk)
                return b"".join(parts)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise ChannelSendError(type(error).__name__) from error

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def officer_text(message: Mapping[str, Any]) -> str:
    """The text of a bot message; an officer's message starts with who wrote it."""
    text = str(message.get("text") or "")
    meta = message.get("metadata") if isinstance(message.get("metadata"), Mapping) else message
    if not isinstance(meta, Mapping) or meta.get("author") != "officer":
        return text
    texts = channel_texts()
    officer = meta.get("officer")
    prefix = texts["officer_prefix"].replace("{officer}", str(officer)) if officer \
        else texts["officer_unknown"]
    return f"{prefix}\n{text}"


class TurnCollector(CollectingOutputChannel):
    """Collects a turn's messages whole (text, buttons and metadata together)."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.messages.append({"recipient_id": recipient_id, **message})


async def run_turn(agent: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                   channel: str, sender_id: str, text: str,
                   metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    collector = TurnCollector()
    try:
        reply = await resolve_reply(agent, sender_id, text)
        await on_new_message(UserMessage(await prepare_message(agent, sender_id, reply),
                                         collector, sender_id,
                                         input_channel=channel, metadata=metadata))
    except Exception:  # the owner gets an apology, details stay in our logs
        logger.exception("%s channel: handling a message failed", channel)
        collector.messages.clear()
    try:
        await finish_turn(agent, sender_id, collector.messages)
    except Exception:
        logger.exception("%s channel: checking the turn failed", channel)
    return collector.messages
