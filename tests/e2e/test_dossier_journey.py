"""A whole terrace application over the REST channel of the real stack (dossier service,
action server, Rasa), as an owner types it: the dossier is stored once, the owner gets its
reference, and afterwards the conversation store keeps none of the personal answers."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from launcher import Stack, plan_isolated
from tests.e2e.conftest import MODEL, require_model

# (what the owner types, or the title of a button the bot offered)
JOURNEY = ["kan ik een terrasvergunning aanvragen in Gent", ("Aanvraag starten",),
           "Café De Hoek", "Korenmarkt 1, 9000 Gent", "van 1 mei tot 30 september 2027",
           "20 m2", "liever niet", "Jan Peeters", "0202.239.951", "jan.peeters@voorbeeld.be",
           "0470 12 34 56", ("Ja, indienen",)]
PERSONAL = ["Jan Peeters", "jan.peeters@voorbeeld.be", "0470 12 34 56", "0202.239.951",
            "Korenmarkt 1", "Café De Hoek"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Path]]:
    require_model()
    state = tmp_path_factory.mktemp("dossier_journey")
    plan = plan_isolated(state, model=MODEL, overrides={"RATE_LIMITS": "off"})
    with Stack(plan, only=["dossiers", "actions", "rasa"]) as running:
        yield running, state


async def say(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> list[dict]:
    async with session.post(url, json={"sender": sender, "message": text}) as response:
        assert response.status == 200
        return await response.json()


def stored(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return "\n".join(row[0] for row in conn.execute("SELECT data FROM events"))


async def test_an_owner_applies_and_only_the_dossier_service_keeps_the_answers(stack):
    running, state = stack
    url = running.url("rasa") + "/webhooks/rest/webhook"
    sender = "journey-" + uuid.uuid4().hex[:10]
    replies: list[dict] = []
    async with aiohttp.ClientSession() as session:
        for step in JOURNEY:
            if isinstance(step, tuple):
                offered = {b["title"]: b["payload"]
                           for m in replies for b in m.get("buttons") or []}
                assert step[0] in offered, replies
                text = offered[step[0]]
            else:
                text = step
            replies = await say(session, url, sender, text)
            assert replies and all(m.get("text") for m in replies), (text, replies)
            assert not any("technisch" in m["text"].lower() for m in replies), (text, replies)
    dossier = next(m["custom"]["dossier"] for m in replies
                   if (m.get("custom") or {}).get("dossier"))
    assert dossier["reference"].startswith("OVL-") and dossier["status"] == "received"
    with sqlite3.connect(state / "dossiers.sqlite3") as conn:
        count = conn.execute("SELECT COUNT(*) FROM dossiers").fetchone()[0]
    assert count == 1
    conversation = stored(state / "trackers.sqlite3")
    assert dossier["reference"] in conversation  # the thread stays, the person does not
    leaked = [value for value in PERSONAL if value in conversation]
    assert leaked == []
