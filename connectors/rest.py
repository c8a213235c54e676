"""REST channel that keeps Rasa's /webhooks/rest/webhook API and adds what stock Rasa lacks:

* every reply message carries the reply contract under `custom` (see bot/contract.py);
* text and custom payload of one utterance stay in one message;
* input is cleaned (HTML, scripts, huge or empty messages) before it reaches NLU;
* a `/intent{...}` payload reaches Rasa only when the bot offered that button in the last turns
  of this conversation or it is a documented entry point (`bot/payload_guard.py`); anything
  else, and Rasa's internal intents always, go to NLU as plain words (`prepare_message`, the
  one place every channel's messages enter: REST, widget and the messaging channels);
* the owner always gets an answer: when the action server is down or an action fails, the
  reply is the `utter_technical_problem` response instead of an empty list;
* a missing sender id gets a random one instead of the shared "default" conversation;
* a message sent again with the same `X-Turn-Id` is answered from the stored turn, not handled
  twice (`connectors/turn_replay.py`; HAProxy resends a message when a replica died on it).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import payload_guard
from bot.contract import MARKER, is_contract, merge_turn
from bot.text_input import clean_user_text
from connectors.saved_turns import saved_turns_of
from connectors.settings import rasa_settings
from connectors.turn_replay import MESSAGE_KEYS, stored_reply, turn_id

logger = logging.getLogger(__name__)

UNCLEAR_INPUT_COMMAND = "/unclear_input"
FALLBACK_RESPONSE = "utter_technical_problem"
MAX_SENDER_LENGTH = 128


class ContractCollectingOutputChannel(CollectingOutputChannel):
    """Collects one message per bot utterance, keeping its custom payload with its text."""

    @classmethod
    def name(cls) -> str:
        return "collector"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        item: dict[str, Any] = {"recipient_id": recipient_id}
        for key in MESSAGE_KEYS:
            if message.get(key):
                item[key] = message[key]
        if message.get("custom"):
            item["custom"] = message["custom"]
        self.messages.append(item)


def normalise_sender(raw: Any) -> str:
    if isinstance(raw, (str, int)) and 0 < len(str(raw)) <= MAX_SENDER_LENGTH:
        return str(raw)
    return secrets.token_urlsafe(18)


def prepare_text(raw: Any, offered: Iterable[str] = (),
                 entries: frozenset[str] | None = None) -> str:
    """The cleaned text for Rasa; a payload only when accepted given the `offered` buttons
    (canonical payloads, see `payload_guard.offered_payloads`) and the entry points."""
    cleaned = clean_user_text(raw)
    if cleaned.kind == "command" and not payload_guard.accepted(cleaned.text, offered, entries):
        cleaned = clean_user_text(payload_guard.as_plain_text(cleaned.text))
    if cleaned.kind in ("empty", "no_words"):
        return UNCLEAR_INPUT_COMMAND
    return cleaned.text


async def offered_payloads(agent: Any, sender_id: str,
                           turns: int = payload_guard.DEFAULT_OFFERED_TURNS) -> frozenset[str]:
    """The buttons the bot offered in the last turns of this conversation (from its tracker)."""
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return frozenset()
    try:
        tracker = await store.retrieve(sender_id)
    except Exception:  # no tracker, no offered buttons; the message still goes through
        logger.exception("reading the offered buttons failed")
        return frozenset()
    return payload_guard.offered_payloads(tracker.events, turns) if tracker else frozenset()


async def prepare_message(agent: Any, sender_id: str, raw: Any) -> str:
    """`prepare_text` with the buttons this conversation was offered (looked up only when the
    message is a payload). Marks the start of the turn for `finish_turn`."""
    saved = saved_turns_of(getattr(agent, "tracker_store", None))
    if saved is not None:
        saved.begin(sender_id)
    if clean_user_text(raw).kind != "command":
        return prepare_text(raw)
    settings = rasa_settings()
    return prepare_text(raw, await offered_payloads(agent, sender_id, settings.offered_turns),
                        payload_guard.entry_points(settings.content_dir))


def fallback_message(domain: Any) -> str | None:
    variants = (getattr(domain, "responses", {}) or {}).get(FALLBACK_RESPONSE) or []
    return variants[0].get("text") if variants else None


async def turn_state(agent: Any, sender_id: str) -> tuple[dict[str, Any], bool]:
    """Slots and paused flag after the turn: as the tracker store saved them this turn, or
    read back from the store when it kept nothing (another store, a failed save)."""
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return {}, False
    saved = saved_turns_of(store)
    kept = saved.take(sender_id) if saved is not None else None
    if kept is not None:
        return kept.slots, kept.paused
    tracker = await store.retrieve(sender_id)
    return (tracker.current_slot_values(), tracker.is_paused()) if tracker else ({}, False)


async def finish_turn(agent: Any, sender_id: str, messages: list[dict[str, Any]]) -> None:
    """Attach the turn's contract to every message; answer with an apology when empty."""
    slots, paused = await turn_state(agent, sender_id)
    if not messages and not paused:
        text = fallback_message(agent.domain) if agent else None
        if text:
            messages.append({"recipient_id": sender_id, "text": text})
    customs = [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
    contract = merge_turn(slots, customs)
    for message in messages:
        existing = message.get("custom")
        extra = {k: v for k, v in existing.items() if k != MARKER} \
            if isinstance(existing, dict) and not is_contract(existing) else {}
        message["custom"] = {**extra, **contract}


def parse_body(request: Request) -> dict[str, Any]:
    try:
        body = request.json
    except Exception:  # malformed JSON is treated as an empty message, not a 400/500
        return {}
    return body if isinstance(body, dict) else {}


class ContractRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint("contract_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = parse_body(request)
            sender_id = normalise_sender(body.get("sender"))
            agent = getattr(request.app.ctx, "agent", None)
            message_id = turn_id(request.headers)
            text = await prepare_message(agent, sender_id, body.get("message"))
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
            collector = ContractCollectingOutputChannel()
            try:
                done = await stored_reply(agent, sender_id, message_id) if message_id else None
                if done is not None:
                    collector.messages.extend(done)
                else:
                    await on_new_message(UserMessage(
                        text, collector, sender_id, input_channel=self.name(),
                        message_id=message_id, metadata=metadata))
            except Exception:  # never a 500 to the owner; details stay in our logs
                logger.exception("rest channel: handling a message failed")
                collector.messages.clear()
            try:
                await finish_turn(agent, sender_id, collector.messages)
            except Exception:
                logger.exception("rest channel: building the reply contract failed")
            return response.json(collector.messages)

        return webhook
