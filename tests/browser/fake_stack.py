"""Our real web app (`python -m bot.web`, hand-off service included) in front of a fake Rasa,
for the browser tests of the chat page that need no trained model.

The fake Rasa runs in a thread of the test process and keeps one tracker per conversation, so
the tests can look at (or add to) what Rasa "knows". It speaks what our web app uses of Rasa:
the REST webhook, the HTTP API (tracker, events, execute; token required) and socket.io (the
widget). Its answers are scripted by the words in the owner's message:

* "lang" → a long topic answer (topic, source, "Bron:" line, buttons): gets thumbs;
* "/request_human" or "medewerker" → a queue notice (`custom.handoff`), no thumbs;
* anything else → a question ("In welke gemeente…?") that carries a topic, no thumbs.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from tests.e2e.conftest import BIN, ROOT, free_port, stop
from tests.e2e.handoff_stack import ALWAYS_OPEN_COUNTER, Stack, _start, always_open_content

SOURCE = "https://www.vlaanderen.example.be/terrasvergunning"
LONG_PARAGRAPH = ("Voor een terras op het openbaar domein heb je een vergunning van je gemeente "
                  "nodig. Je vraagt ze aan bij de dienst die het openbaar domein beheert; die "
                  "kijkt naar de plaats, de doorgang voor voetgangers en hulpdiensten en de "
                  "openingsuren van je zaak. ")
JOINED = "Sofie van het ondernemersloket is er nu bij."


def long_answer(n: int) -> str:
    body = "\n\n".join(f"{n}. " + LONG_PARAGRAPH * 3 for _ in range(3))
    return f"{body}\n\nBron: Terrasvergunning aanvragen ({SOURCE})"


@dataclass
class FakeRasa:
    token: str
    trackers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    paused: set[str] = field(default_factory=set)
    answers: dict[str, int] = field(default_factory=dict)  # per conversation

    # -- conversation ------------------------------------------------------------------------
    def _log(self, conversation: str, event: dict[str, Any]) -> None:
        self.trackers.setdefault(conversation, []).append({"timestamp": time.time(), **event})

    def reply(self, conversation: str, text: str) -> list[dict[str, Any]]:
        """Messages (REST shape) for one owner message, logged in the tracker like Rasa."""
        self._log(conversation, {"event": "user", "text": text, "metadata": {}})
        if conversation in self.paused:
            return []
        contract: dict[str, Any] = {"municipality": "Aalst", "nis": "41002", "counter": "aalst"}
        if "lang" in text.lower():
            self.answers[conversation] = self.answers.get(conversation, 0) + 1
            custom = {**contract, "topic": "terrasvergunning", "source": SOURCE,
                      "authority": "Gemeente Aalst"}
            messages = [
                {"text": long_answer(self.answers[conversation]), "custom": custom,
                 "buttons": [{"title": "Aanvraag starten",
                              "payload": '/start_dossier{"dossier_type":"terrasvergunning"}'},
                             {"title": "Officiële pagina", "payload": SOURCE}]},
                {"text": "Voor deze vraag helpt Ondernemersloket Aalst je verder. "
                         "Telefoon 053 00 00 00 (voorbeeldgegevens van deze demo)",
                 "custom": custom}]
            sent = [custom, None]
        elif text == "/request_human" or "medewerker" in text.lower():
            custom = {**contract, "handoff": {"status": "queued", "counter": "aalst",
                                              "position": 1}}
            messages = [{"text": "Je staat op plaats 1 in de wachtrij van Ondernemersloket "
                                 "Aalst. Een medewerker neemt zo snel mogelijk over.",
                         "custom": custom}]
            sent = [custom]
            self.paused.add(conversation)
        else:
            custom = {"topic": "terrasvergunning"}
            messages = [{"text": "In welke gemeente is je zaak?", "custom": custom}]
            sent = [custom]
        for message, action_custom in zip(messages, sent, strict=True):
            self._log(conversation, {"event": "bot", "text": message["text"], "metadata": {},
                                     "data": {"buttons": message.get("buttons"),
                                              "custom": action_custom}})
        return [{"recipient_id": conversation, **m} for m in messages]

    # -- HTTP ---------------------------------------------------------------------------------
    def _authorized(self, request: web.Request) -> None:
        if request.query.get("token") != self.token:
            raise web.HTTPUnauthorized()

    async def health(self, _request: web.Request) -> web.Response:
        return web.Response(text="Hello from fake Rasa")

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response(self.reply(str(body["sender"]), str(body["message"])))

    async def tracker(self, request: web.Request) -> web.Response:
        self._authorized(request)
        conversation = request.match_info["id"]
        return web.json_response({"sender_id": conversation,
                                  "events": self.trackers.get(conversation, [])})

    async def events(self, request: web.Request) -> web.Response:
        self._authorized(request)
        conversation = request.match_info["id"]
        for event in await request.json():
            if event.get("event") == "pause":
                self.paused.add(conversation)
            elif event.get("event") == "resume":
                self.paused.discard(conversation)
            self._log(conversation, event)
        return web.json_response({"sender_id": conversation})

    async def execute(self, request: web.Request) -> web.Response:
        self._authorized(request)
        conversation = request.match_info["id"]
        name = (await request.json()).get("name")
        text = JOINED if name == "action_handoff_officer_joined" else \
            "Ik neem het weer over. Waarmee kan ik je nog helpen?"
        self._log(conversation, {"event": "bot", "text": text, "metadata": {}, "data": {}})
        return web.json_response({"messages": [{"recipient_id": conversation, "text": text}]})

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        """Engine.IO v4 / Socket.IO v5 as far as the widget uses it."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str('0{"sid":"fake","pingInterval":25000,"pingTimeout":20000,'
                          '"upgrades":[],"maxPayload":100000}')
        conversation = ""
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                break
            data = message.data
            if data == "40":
                await ws.send_str('40{"sid":"fake-socket"}')
            elif data.startswith("42"):
                name, payload = json.loads(data[2:])
                if name == "session_request":
                    conversation = (payload or {}).get("session_id") or secrets.token_hex(16)
                    await ws.send_str("42" + json.dumps(["session_confirm", conversation]))
                elif name == "user_uttered":
                    replies = self.reply(conversation, str(payload.get("message")))
                    for reply in replies:
                        reply.pop("recipient_id", None)
                        reply["id"] = secrets.token_urlsafe(9)
                        if "buttons" in reply:
                            reply["quick_replies"] = reply.pop("buttons")
                        await ws.send_str("42" + json.dumps(["bot_uttered", reply]))
                    await ws.send_str("42" + json.dumps(["turn_complete",
                                                         {"messages": len(replies)}]))
        return ws

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/", self.health)
        app.router.add_post("/webhooks/rest/webhook", self.webhook)
        app.router.add_get("/conversations/{id}/tracker", self.tracker)
        app.router.add_post("/conversations/{id}/tracker/events", self.events)
        app.router.add_post("/conversations/{id}/execute", self.execute)
        app.router.add_get("/socket.io/", self.socket)
        return app


@contextmanager
def serve_in_thread(app: web.Application, port: int) -> Iterator[None]:
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


@dataclass(frozen=True)
class FakeStack:
    stack: Stack  # web_url, rasa_url, token and the officer (for tests.e2e helpers)
    rasa: FakeRasa
    service_token: str
    feedback_db: Path

    @property
    def web_url(self) -> str:
        return self.stack.web_url


@contextmanager
def fake_stack(tmp: Path, rasa_up: bool = True) -> Iterator[FakeStack]:
    """The web app on a free port; with `rasa_up=False` nothing listens where Rasa should."""
    web_port, rasa_port = free_port(), free_port()
    rasa_token, service_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    password = "fake-stack-" + secrets.token_urlsafe(12)
    env = os.environ.copy()
    env.update(
        CONTENT_DIR=str(always_open_content(tmp / "content")),
        HANDOFF_DB=str(tmp / "handoff.sqlite3"), HANDOFF_SERVICE_TOKEN=service_token,
        FEEDBACK_DB=str(tmp / "feedback.sqlite3"),
        RASA_URL=f"http://127.0.0.1:{rasa_port}", RASA_API_TOKEN=rasa_token)
    subprocess.run([str(BIN / "python"), "-m", "bot.handoff", "create-officer", "--name", "sofie",
                    "--display-name", "Sofie", "--counter", ALWAYS_OPEN_COUNTER,
                    "--password-stdin"], input=password.encode() + b"\n", cwd=ROOT, env=env,
                   check=True, capture_output=True)
    rasa = FakeRasa(rasa_token)
    stack = Stack(f"http://127.0.0.1:{web_port}", env["RASA_URL"], rasa_token, "sofie",
                  "Sofie", password)
    with serve_in_thread(rasa.app(), rasa_port) if rasa_up else _nothing():
        proc = _start("web", [str(BIN / "python"), "-m", "bot.web", "--host", "127.0.0.1",
                              "--port", str(web_port)], env, tmp,
                      f"http://127.0.0.1:{web_port}/health")
        try:
            yield FakeStack(stack, rasa, service_token, tmp / "feedback.sqlite3")
        finally:
            stop(proc)


@contextmanager
def _nothing() -> Iterator[None]:
    yield
