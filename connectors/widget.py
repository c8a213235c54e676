"""socket.io channel of the web widget (replaces Rasa's stock `socketio` channel).

Same events as the stock channel (`session_request`/`session_confirm`, `user_uttered`,
`bot_uttered`), with what the widget needs on top:

* the page context (tenant, municipality, NIS) given at `session_request` is kept for the
  socket and attached as metadata to every message, merged with what a message carries;
* conversation ids are issued by this server and signed (`ConversationIds`: a random id plus
  an HMAC of it with `WIDGET_SESSION_SECRET`; unset: a key derived from the run's
  RASA_API_TOKEN, shared by the Rasa replicas, or random per process without one): a
  `session_request` with an id the server did not issue (unknown, made up, or another
  channel's conversation) gets a new conversation, so nobody joins a conversation whose signed
  id they were not given; the widget keeps the id `session_confirm` gives it;
* a message only goes into the conversation its socket asked for (`session_request`), and the
  socket really joins that conversation's room, so pushed messages (an officer's reply during a
  hand-off) reach every open tab of it;
* input is cleaned, payloads are checked and every reply carries the reply contract, like the
  REST channel (`prepare_message`, `finish_turn`); when the bot produced nothing, the owner gets
  `utter_technical_problem` instead of silence (unless an officer has the conversation);
* after each turn the socket gets `turn_complete`, so the widget knows when to stop its typing
  indicator and where to offer feedback;
* in the production profile the Rasa replicas share their rooms through Redis
  (python-socketio's `AsyncRedisManager`, bot/shared_state.py): a message pushed on any replica
  (an officer's reply through Rasa's HTTP API) reaches the owner's socket on whichever replica
  holds it. Each socket itself stays on its replica (the web app relays one WebSocket).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncManager, AsyncRedisManager, AsyncServer

from bot.shared_state import SharedStateSettings
from connectors.rest import finish_turn, prepare_message
from connectors.settings import rasa_settings
from connectors.widget_payload import page_metadata, valid_session_id, widget_payload

logger = logging.getLogger(__name__)

TURN_COMPLETE_EVT = "turn_complete"
MAX_PACKET_BYTES = 16 * 1024
KEY_VARIABLE = "WIDGET_SESSION_SECRET"


def _run_key(token: str) -> bytes:
    """Without WIDGET_SESSION_SECRET: a key derived from this run's Rasa API token, so every
    Rasa replica of one stack accepts the others' ids (the launcher makes the token random per
    run when it is unset); random per process when there is no token either."""
    if not token:
        return secrets.token_bytes(32)
    return hmac.new(token.encode("utf-8"), b"widget conversation ids", hashlib.sha256).digest()


def client_manager(settings: SharedStateSettings) -> AsyncManager:
    """Rooms across replicas through Redis pub/sub when the settings name a Redis, else this
    process's own rooms."""
    if settings.redis_url is None:
        return AsyncManager()
    return AsyncRedisManager(settings.redis_url, channel=settings.key("socketio"),
                             redis_options={"socket_connect_timeout": 1.0,
                                            "health_check_interval": 30})


class ConversationIds:
    """Conversation ids the server issues: 32 random hex characters, `-`, and 22 characters of
    the HMAC-SHA256 of them (URL-safe base64), 55 in all, so they still pass
    `valid_session_id`. Only an id with the right signature is taken back."""

    NONCE = 32
    SIGNATURE = 22

    def __init__(self, secret: str | bytes | None = None) -> None:
        if secret is None:
            settings = rasa_settings()
            secret = settings.widget_secret or _run_key(settings.api_token)
        self._key = secret.encode("utf-8") if isinstance(secret, str) else secret

    def _sign(self, nonce: str) -> str:
        digest = hmac.new(self._key, nonce.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii")[:self.SIGNATURE]

    def new(self) -> str:
        nonce = secrets.token_hex(self.NONCE // 2)
        return f"{nonce}-{self._sign(nonce)}"

    def issued(self, value: Any) -> bool:
        if not isinstance(value, str) or len(value) != self.NONCE + 1 + self.SIGNATURE:
            return False
        nonce, dash, signature = value[:self.NONCE], value[self.NONCE], value[self.NONCE + 1:]
        if dash != "-" or not all(c in "0123456789abcdef" for c in nonce):
            return False
        return hmac.compare_digest(signature, self._sign(nonce))


class WidgetOutput(OutputChannel):
    """Pushes messages to the sockets of a conversation (room = conversation id)."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        self.sio = sio
        self.bot_message_evt = bot_message_evt

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        payload = widget_payload({"recipient_id": recipient_id, **message})
        if len(payload) > 1:  # more than the id
            await self.sio.emit(self.bot_message_evt, payload, room=recipient_id)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, **kwargs})


class WidgetCollector(CollectingOutputChannel):
    """Collects a turn's messages whole (text, buttons, custom and metadata together)."""

    @classmethod
    def name(cls) -> str:
        return "socketio"  # channel-specific response variants for the widget still apply

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.messages.append({"recipient_id": recipient_id, **message})


class WidgetInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            bool(credentials.get("session_persistence", True)),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("metadata_key", "metadata"),
        )

    def __init__(self, user_message_evt: str = "user_uttered",
                 bot_message_evt: str = "bot_uttered", session_persistence: bool = True,
                 socketio_path: str = "/socket.io", metadata_key: str = "metadata",
                 ids: ConversationIds | None = None,
                 shared: SharedStateSettings | None = None) -> None:
        self.ids = ids or ConversationIds()
        self.shared = shared if shared is not None else rasa_settings().shared_state
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.session_persistence = session_persistence
        self.socketio_path = socketio_path
        self.metadata_key = metadata_key
        self.sio: AsyncServer | None = None

    def get_output_channel(self) -> OutputChannel | None:
        return WidgetOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[],
                          max_http_buffer_size=MAX_PACKET_BYTES,
                          client_manager=client_manager(self.shared))
        self.sio = sio
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            asked = valid_session_id(data.get("session_id"))
            # Only an id this server issued is taken back; anything else: a new conversation.
            conversation = asked if self.ids.issued(asked) else self.ids.new()
            page = page_metadata(data.get(self.metadata_key))
            previous = (await sio.get_session(sid)).get("conversation")
            await sio.save_session(sid, {"conversation": conversation, "page": page})
            if self.session_persistence:
                if previous and previous != conversation:  # "new conversation" in the widget
                    await sio.leave_room(sid, previous)
                await sio.enter_room(sid, conversation)
            await sio.emit("session_confirm", conversation, room=sid)

        @sio.on(self.user_message_evt)
        async def user_message(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            state = await sio.get_session(sid)
            conversation = self._conversation(sid, state, data)
            if conversation is None:
                logger.warning("widget: message without a confirmed session ignored")
                return
            metadata = {**state.get("page", {}), **page_metadata(data.get(self.metadata_key))}
            await self._handle(sio, sid, conversation, data.get("message"), metadata,
                               on_new_message)

        return webhook

    def _conversation(self, sid: str, state: dict[str, Any], data: dict[str, Any]
                      ) -> str | None:
        if not self.session_persistence:
            return sid
        confirmed = state.get("conversation")
        asked = data.get("session_id")
        if confirmed is None or (asked is not None and asked != confirmed):
            return None
        return str(confirmed)

    async def _handle(self, sio: AsyncServer, sid: str, conversation: str, raw_text: Any,
                      metadata: dict[str, str],
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        collector = WidgetCollector()
        try:
            text = await prepare_message(_agent(sio, sid), conversation, raw_text)
            await on_new_message(UserMessage(text, collector, conversation,
                                             input_channel=self.name(),
                                             metadata=metadata or None))
        except Exception:  # the owner gets an apology, details stay in our logs
            logger.exception("widget channel: handling a message failed")
            collector.messages.clear()
        try:
            await finish_turn(_agent(sio, sid), conversation, collector.messages)
        except Exception:
            logger.exception("widget channel: building the reply contract failed")
        room = conversation if self.session_persistence else sid
        for message in collector.messages:
            await sio.emit(self.bot_message_evt, widget_payload(message), room=room)
        await sio.emit(TURN_COMPLETE_EVT, {"messages": len(collector.messages)}, room=sid)


def _agent(sio: AsyncServer, sid: str) -> Any:
    """The Rasa agent of the Sanic app this socket came in through (None in bare tests)."""
    try:
        request = sio.get_environ(sid).get("sanic.request")
    except (KeyError, AttributeError):
        return None
    return getattr(getattr(getattr(request, "app", None), "ctx", None), "agent", None)
