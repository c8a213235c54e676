"""`POST /api/widget/history` {conversation_id}: the widget's conversation as Rasa's tracker
holds it, so a reloaded page shows the server's transcript (officer messages that arrived
meanwhile included), not only what the browser kept.

Only for an id the widget's channel signed (bot/webcore/conversation_ids.py): ids of other
channels (a Telegram chat id, a REST sender) are refused, so nobody reads a conversation they
were not given. Same origins, rate limit and body cap as the widget's feedback."""

from __future__ import annotations

from typing import Any, TypedDict

from aiohttp import web

from bot.message_ids import bot_message_id
from bot.web import chat, feedback_api
from bot.web.rasa_client import RasaUnavailable
from bot.web.widget_settings import SETTINGS_KEY
from bot.webcore.client_address import client_address
from bot.webcore.conversation_ids import issued_by_widget
from bot.webcore.texts import load_texts

MAX_ITEMS = 80  # as many as the widget keeps


class WidgetItem(TypedDict):
    who: str  # user | bot | officer
    id: str
    text: str
    choices: list[chat.Button]
    officer: str | None
    topic: str | None
    source: str | None
    municipality: str | None
    answer: bool  # the turn's topic answer: the widget offers thumbs under it


def widget_items(conversation_id: str, events: list[dict[str, Any]],
                 source_label: str) -> list[WidgetItem]:
    """The owner's, the bot's and officers' messages, oldest first, with the ids the widget
    channel gave the bot's messages (so thumbs on a restored answer still count)."""
    titles: dict[str, str] = {}
    items: list[WidgetItem] = []
    answered = False
    for n, event in enumerate(events):
        kind, raw = event.get("event"), event.get("text")
        text = raw if isinstance(raw, str) else ""
        if kind == "user":
            answered = False
            text = titles.get(text, "") if text.startswith("/") else text
            if text:
                items.append({"who": "user", "id": f"u-{n}", "text": text, "choices": [],
                              "officer": None, "topic": None, "source": None,
                              "municipality": None, "answer": False})
        elif kind == "bot":
            data: dict[str, Any] = event["data"] if isinstance(event.get("data"), dict) else {}
            buttons = chat._buttons(data)
            titles.update({b["payload"]: b["title"] for b in buttons})
            if not text.strip() and not buttons:
                continue
            meta: dict[str, Any] = event["metadata"] \
                if isinstance(event.get("metadata"), dict) else {}
            officer = meta.get("author") == "officer"
            raw_custom = data.get("custom")
            custom: dict[str, Any] = raw_custom if isinstance(raw_custom, dict) else {}
            answer = not officer and not answered and chat.is_answer(text, custom, source_label)
            answered = answered or answer
            source = custom.get("source")
            items.append({
                "who": "officer" if officer else "bot",
                "id": bot_message_id(conversation_id, event.get("timestamp"), raw),
                "text": text.strip(), "choices": buttons,
                "officer": str(meta.get("officer") or "") or None if officer else None,
                "topic": str(custom["topic"]) if custom.get("topic") else None,
                "source": source if isinstance(source, str) and source.startswith("http")
                else None,
                "municipality": str(custom["municipality"]) if custom.get("municipality")
                else None,
                "answer": answer})
    return items[-MAX_ITEMS:]


async def post_history(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS_KEY]
    if not settings.origin_allowed(request):
        raise web.HTTPForbidden()
    headers = {**feedback_api.cors_headers(request, settings), **chat.NO_STORE}
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(headers=headers)
    limits = feedback_api.gate(request)
    if not await limits.limiter.hit(client_address(request)):
        return web.json_response({"messages": []}, status=429, headers=headers)
    try:
        body = await feedback_api.read_json_capped(request, limits.max_body, headers)
    except ValueError:
        return web.json_response({"messages": []}, status=400, headers=headers)
    conversation = body.get("conversation_id") if isinstance(body, dict) else None
    if not issued_by_widget(conversation, settings.conversation_key):
        return web.json_response({"messages": []}, status=404, headers=headers)
    assert isinstance(conversation, str)
    try:
        events = await request.app[chat.RASA_KEY].events(conversation)
    except RasaUnavailable:
        return web.json_response({"messages": [], "unavailable": True}, headers=headers)
    label = load_texts(request.app[chat.TEXTS_PATH_KEY]).get("source_label", "Bron")
    return web.json_response({"messages": widget_items(conversation, events, label)},
                             headers=headers)
