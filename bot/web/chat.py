"""Handlers of the owner's chat page: the page itself, a JSON proxy to Rasa, the owner's own
transcript (restored after a reload) and thumbs on answers.

Everything here is keyed by the HttpOnly session cookie (`bot.webcore.owner_session`), never
by an id in the URL or the body, so an owner can only read and rate their own conversation."""

from __future__ import annotations

import asyncio
import html
import re
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from string import Template
from typing import Any, Literal, TypedDict

from aiohttp import web

from bot.text_input import MAX_CHARS
from bot.web import feedback_api
from bot.web.rasa_client import RasaClient, RasaUnavailable
from bot.web.widget_settings import SETTINGS_KEY
from bot.webcore.client_address import client_address
from bot.webcore.owner_session import session_id, set_session
from bot.webcore.texts import load_texts

TEMPLATE_KEY = web.AppKey("chat_template", Template)
RASA_KEY = web.AppKey("rasa_client", RasaClient)
TEXTS_PATH_KEY = web.AppKey("texts_path", Path)
MAX_TRANSCRIPT = 200  # messages restored after a reload
STARTERS = 4  # starter_<n> / starter_<n>_payload in content/web.yml
NO_STORE = {"Cache-Control": "no-store"}
ANSWER_ID_RE = re.compile(r"answer-(\d{4,6})")  # as chat.js numbers the answers

Sender = Literal["owner", "bot", "officer"]


class Button(TypedDict):
    title: str
    payload: str


class TranscriptMessage(TypedDict):
    sender: Sender
    text: str
    buttons: list[Button]
    officer: str | None  # the officer's display name, for officer messages
    answer: bool  # a topic answer: the page shows thumbs under it
    topic: str | None  # only on answers
    id: str | None  # only on answers: `answer-<n>`, the n-th answer of the conversation


def starter_buttons(texts: Mapping[str, str]) -> list[Button]:
    buttons: list[Button] = []
    for n in range(1, STARTERS + 1):
        title, payload = texts.get(f"starter_{n}"), texts.get(f"starter_{n}_payload")
        if title and payload:
            buttons.append({"title": title, "payload": payload})
    return buttons


def _buttons(data: Any) -> list[Button]:
    raw = data.get("buttons") if isinstance(data, dict) else None
    return [{"title": str(b["title"]), "payload": str(b.get("payload") or "")}
            for b in raw or [] if isinstance(b, dict) and b.get("title")]


def is_answer(text: str, custom: Any, source_label: str) -> bool:
    """A topic answer carries its topic and official source, and cites the source in its
    text; questions (which municipality?), counter cards and queue notices do not."""
    if not isinstance(custom, dict) or not custom.get("topic") or not custom.get("source"):
        return False
    return str(custom["source"]) in text or f"\n{source_label}" in text


def answer_id(n: int) -> str:
    return f"answer-{n:04d}"


def transcript(events: list[dict[str, Any]], source_label: str,
               known_buttons: Sequence[Button] = ()) -> list[TranscriptMessage]:
    """The owner's and the bot's (or an officer's) messages of a tracker, oldest first.

    Button clicks are shown with the button's title, as they were on the page; other
    commands (`/unclear_input`, …) are left out. Nothing else of the tracker leaves here.
    Answers are numbered as chat.js numbers them live: the first answer of each turn."""
    titles = {b["payload"]: b["title"] for b in known_buttons}
    messages: list[TranscriptMessage] = []
    answers, answered = 0, False
    for event in events:
        kind, text = event.get("event"), event.get("text")
        text = text if isinstance(text, str) else ""
        if kind == "user":
            answered = False
            if text.startswith("/"):
                text = titles.get(text, "")
            if text:
                messages.append({"sender": "owner", "text": text, "buttons": [],
                                 "officer": None, "answer": False, "topic": None, "id": None})
        elif kind == "bot":
            data: dict[str, Any] = event["data"] if isinstance(event.get("data"), dict) else {}
            buttons = _buttons(data)
            titles.update({b["payload"]: b["title"] for b in buttons})
            if not text and not buttons:
                continue
            meta: dict[str, Any] = event["metadata"] \
                if isinstance(event.get("metadata"), dict) else {}
            officer = meta.get("author") == "officer"
            name = str(meta.get("officer") or "") if officer else ""
            custom = data.get("custom")
            answer = not officer and not answered and is_answer(text, custom, source_label)
            topic = str(custom["topic"]) if answer and isinstance(custom, dict) else None
            if answer:
                answers, answered = answers + 1, True
            messages.append({
                "sender": "officer" if officer else "bot", "text": text, "buttons": buttons,
                "officer": name or None,
                "answer": answer, "topic": topic,
                "id": answer_id(answers) if answer else None})
    return messages


async def page(request: web.Request) -> web.Response:
    texts = load_texts(request.app[TEXTS_PATH_KEY])
    values = dict(texts)
    values["has_session"] = "true" if session_id(request) else "false"
    for n in range(1, STARTERS + 1):
        values.setdefault(f"starter_{n}", "")
        values.setdefault(f"starter_{n}_payload", "")
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    body = request.app[TEMPLATE_KEY].safe_substitute(escaped)
    response = web.Response(text=body, content_type="text/html")
    if session_id(request) is None:
        set_session(request, response, secrets.token_urlsafe(24))
    return response


async def history(request: web.Request) -> web.Response:
    """`GET /api/chat/history`: the owner's own conversation, read from Rasa's tracker."""
    sid = session_id(request)
    if sid is None:
        return web.json_response({"messages": []}, headers=NO_STORE)
    texts = load_texts(request.app[TEXTS_PATH_KEY])
    try:
        events = await request.app[RASA_KEY].events(sid)
    except RasaUnavailable:
        return web.json_response({"messages": [], "unavailable": True}, headers=NO_STORE)
    messages = transcript(events, texts.get("source_label", "Bron"), starter_buttons(texts))
    return web.json_response({"messages": messages[-MAX_TRANSCRIPT:]}, headers=NO_STORE)


async def send_message(request: web.Request) -> web.Response:
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType()
    try:
        body: Any = await request.json()
    except ValueError:
        body = {}
    text = body.get("message") if isinstance(body, dict) else None
    if not isinstance(text, str):
        text = ""
    sid = session_id(request) or secrets.token_urlsafe(24)
    metadata = {key: body[key] for key in ("municipality", "nis", "tenant")
                if isinstance(body, dict) and isinstance(body.get(key), str)}
    try:
        messages = await request.app[RASA_KEY].send(sid, text[: MAX_CHARS * 10], metadata)
        payload: dict[str, Any] = {"messages": messages}
    except RasaUnavailable:
        payload = {"messages": [], "unavailable": True}
    response = web.json_response(payload)
    if session_id(request) != sid:
        set_session(request, response, sid)
    return response


async def feedback(request: web.Request) -> web.Response:
    """`POST /api/chat/feedback` {message_id, vote, topic?, municipality?}: a thumb on an
    answer of the owner's own conversation (the cookie's), stored like the widget's.

    `message_id` is `answer-NNNN`, the n-th topic answer of the conversation as the page counts
    them; it must exist in Rasa's tracker, and the stored topic is that answer's."""
    sid = session_id(request)
    if sid is None:
        raise web.HTTPForbidden()
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType()
    limits = feedback_api.gate(request)
    if not await limits.limiter.hit(client_address(request)):
        return web.json_response({"ok": False}, status=429)
    try:
        body = await feedback_api.read_json_capped(request, limits.max_body)
        if not isinstance(body, dict):
            raise feedback_api.InvalidFeedback("not an object")
        settings = request.app[SETTINGS_KEY]
        vote = await asyncio.to_thread(feedback_api.parse_feedback,
                                       {**body, "conversation_id": sid,
                                        "tenant": settings.tenant}, settings)
    except (ValueError, feedback_api.InvalidFeedback):
        return web.json_response({"ok": False}, status=400)
    number = ANSWER_ID_RE.fullmatch(vote.message_id)
    try:
        events = await request.app[RASA_KEY].events(sid)
    except RasaUnavailable:
        return web.json_response({"ok": False}, status=503)
    label = load_texts(request.app[TEXTS_PATH_KEY]).get("source_label", "Bron")
    answers = {m["id"]: m for m in transcript(events, label) if m["id"]}
    answer = answers.get(answer_id(int(number.group(1)))) if number else None
    if answer is None:
        return web.json_response({"ok": False, "reason": "unknown_message"}, status=404)
    return await feedback_api.store_vote(
        request, feedback_api.with_topic(vote, answer["topic"], settings))


async def reset(request: web.Request) -> web.Response:
    response = web.json_response({"ok": True})
    set_session(request, response, secrets.token_urlsafe(24))
    return response


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})
