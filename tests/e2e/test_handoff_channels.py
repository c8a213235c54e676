"""Hand-off end to end over REST and socket.io: call-back when nobody is online (its question
answered with "terug", "ja", a request for a person, a topic question, "liever niet"), live
queue, officer replies reaching the owner, and the bot answering again after the hand-back.
Officer actions go through the console's HTTP interface, like a browser would."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from typing import Any

import pytest

from tests.e2e.handoff_stack import Stack, handoff_stack

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with handoff_stack(tmp_path_factory.mktemp("handoff_channels")) as running:
        yield running


class Console:
    """An officer's browser session, without the browser."""

    def __init__(self, stack: Stack) -> None:
        self.base = stack.web_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.csrf = ""
        self.stack = stack

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict[str, str]) -> str:
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return response.read().decode()

    def login(self) -> None:
        token = CSRF_RE.search(self.get("/officer/login")).group(1)
        page = self.post("/officer/login", {"csrf": token, "name": self.stack.officer,
                                            "password": self.stack.password})
        self.csrf = CSRF_RE.search(page).group(1)

    def request_id(self, reference: str) -> str:
        queue = self.get("/officer/fragments/queue")
        match = re.search(r'href="/officer/requests/(\d+)">' + re.escape(reference), queue)
        assert match, f"{reference} not in the officer's queue"
        return match.group(1)

    def act(self, request_id: str, action: str, **data: str) -> str:
        return self.post(f"/officer/requests/{request_id}/{action}", {"csrf": self.csrf, **data})


def say(stack: Stack, sender: str, text: str) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(stack.rasa_url + "/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def owner_updates(stack: Stack, sender: str, token: str) -> list[dict[str, Any]]:
    url = f"{stack.web_url}/api/handoff/{sender}/messages?token={token}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())["messages"]


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def test_the_call_back_question_lets_the_owner_out_as_at_a_counter(stack: Stack) -> None:
    # Before any officer logs in (the next tests do): nobody online, so a call-back.
    sender = "e2e-" + secrets.token_hex(6)
    say(stack, sender, "kan iemand mij terugbellen")
    handoff = say(stack, sender, "Aalst")[-1]["custom"]["handoff"]
    assert handoff["status"] == "callback"
    back = texts(say(stack, sender, "terug"))
    assert "eerste vraag" in back and "telefoonnummer of e-mailadres" in back
    yes = texts(say(stack, sender, "ja"))
    assert "Typ het maar" in yes and "herken ik niet" not in yes
    person = texts(say(stack, sender, "ik wil iemand spreken"))
    assert handoff["reference"] in person and "telefoonnummer of e-mailadres" in person
    topic = texts(say(stack, sender, "wat kost een terrasvergunning?"))
    assert "herken ik niet" not in topic and "telefoonnummer of e-mailadres" in topic
    declined = texts(say(stack, sender, "liever niet"))
    assert "Geen probleem" in declined and handoff["reference"] in declined


def test_nobody_online_gives_a_callback_with_reference_and_contact(stack: Stack) -> None:
    sender = "e2e-" + secrets.token_hex(6)
    assert "In welke gemeente" in texts(say(stack, sender, "kan iemand mij terugbellen"))
    replies = say(stack, sender, "Aalst")
    handoff = replies[-1]["custom"]["handoff"]
    assert handoff["status"] == "callback" and handoff["counter"] == "aalst"
    assert handoff["reference"] in texts(replies)
    assert "telefoonnummer of e-mailadres" in texts(replies)
    assert "herken ik niet" in texts(say(stack, sender, "morgen na de middag"))
    confirmed = say(stack, sender, "0470 12 34 56")
    assert "belt je terug" in texts(confirmed) and handoff["reference"] in texts(confirmed)

    console = Console(stack)
    console.login()
    queue = console.get("/officer/fragments/queue")
    assert handoff["reference"] in queue and "+32470123456" in queue


def test_rest_owner_chats_with_the_officer_and_gets_the_bot_back(stack: Stack) -> None:
    console = Console(stack)
    console.login()
    sender = "e2e-" + secrets.token_hex(6)
    say(stack, sender, "mag ik iemand van het loket aan de lijn?")
    replies = say(stack, sender, "Aalst")
    handoff = replies[-1]["custom"]["handoff"]
    assert (handoff["status"], handoff["position"]) == ("queued", 1)
    assert say(stack, sender, "Ik wacht wel even") == []  # paused: the bot is silent

    request_id = console.request_id(handoff["reference"])
    console.act(request_id, "take")
    assert "Ik wacht wel even" in console.get(f"/officer/requests/{request_id}")
    console.act(request_id, "reply", text="Dag, ik ben Sofie. Waarmee kan ik helpen?")
    seen = owner_updates(stack, sender, handoff["token"])
    assert [m["author"] for m in seen] == ["bot", "officer"]
    assert "Sofie" in seen[0]["text"] and seen[1]["text"].startswith("Dag, ik ben Sofie")

    console.act(request_id, "handback")
    assert "weer aan mij" in owner_updates(stack, sender, handoff["token"])[-1]["text"]
    again = say(stack, sender, "Wat kan je allemaal?")
    assert "Hiermee kan ik je helpen" in texts(again)
    assert again[-1]["custom"]["handoff"]["status"] == "closed"


async def test_socketio_owner_gets_the_officer_reply_pushed(stack: Stack) -> None:
    import socketio

    client = socketio.AsyncClient()
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    confirmed: asyncio.Queue[str] = asyncio.Queue()

    @client.on("bot_uttered")
    async def on_bot(data: dict[str, Any]) -> None:
        await received.put(data)

    @client.on("session_confirm")
    async def on_confirm(data: Any) -> None:
        await confirmed.put(str(data))

    async def wait_for(fragment: str) -> dict[str, Any]:
        while True:
            data = await asyncio.wait_for(received.get(), 30)
            if fragment in data.get("text", ""):
                return data

    console = Console(stack)
    await asyncio.to_thread(console.login)
    # long-polling: the websocket transport of this engineio needs a newer aiohttp
    await client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["polling"])
    try:
        # The server issues the conversation id (a made-up one is not taken): use what it says.
        await client.emit("session_request", {"session_id": "sio-" + secrets.token_hex(8)})
        session = await asyncio.wait_for(confirmed.get(), 30)
        # <32 hex>-<signature>: the signature is URL-safe base64 and may itself hold a "-".
        issued, _, signature = session.partition("-")
        assert len(issued) == 32 and signature and not session.startswith("sio-")
        for text in ("ik wil een ambtenaar spreken", "Aalst"):
            await client.emit("user_uttered", {"message": text, "session_id": session})
        queued = await wait_for("in de wachtrij")
        reference = queued["custom"]["handoff"]["reference"]
        request_id = await asyncio.to_thread(console.request_id, reference)
        await asyncio.to_thread(console.act, request_id, "take")
        await wait_for("is er nu bij")
        await asyncio.to_thread(console.act, request_id, "reply", text="Hallo via socket.io!")
        pushed = await wait_for("Hallo via socket.io!")
        assert pushed["metadata"] == {"author": "officer", "officer": "Sofie"}
        await asyncio.to_thread(console.act, request_id, "handback")
        await wait_for("weer aan mij")
    finally:
        await client.disconnect()
