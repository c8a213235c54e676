"""Reconciliation through the real stack (launcher: dossier service, action server, Rasa with
the SQL event broker, web app with the insights consumer): scripted conversations in several
municipalities, then the summary API must show exactly those counts (INSIGHTS_MIN_COUNT=1),
and nothing of a municipality outside the token's counters."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from launcher import ROOT, Stack, plan_isolated

pytestmark = pytest.mark.e2e
MODEL = ROOT / "models" / "ondernemersloket.tar.gz"
AALST_TOKEN = "aalst-token-" + "x" * 20
PROVINCE_TOKEN = "province-token-" + "y" * 20
TERRAS_AALST = "ik wil een terras plaatsen in Aalst"
# A button is pressed by its title (its payload is sent, as the chat page does).
DOSSIER_GENT = ["kan ik een terrasvergunning aanvragen in Gent", ("Aanvraag starten",),
                "Café De Hoek", "Korenmarkt 1, 9000 Gent", "van 1 mei tot 30 september 2027",
                "20 m2", ("Overslaan",), "Jan Peeters", "0202.239.951",
                "jan.peeters@example.be", "0470 12 34 56", ("Ja, indienen",)]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not MODEL.exists():
        pytest.skip("no trained model (run make train)")
    overrides = {"INSIGHTS_MIN_COUNT": "1", "RATE_LIMITS": "off", "ACTION_TIMEOUT_SECONDS": "6",
                 "INSIGHTS_API_TOKENS": json.dumps({AALST_TOKEN: ["aalst"],
                                                    PROVINCE_TOKEN: ["provincie_oost_vlaanderen"]})}
    plan = plan_isolated(tmp_path_factory.mktemp("insights_stack"), model=MODEL,
                         overrides=overrides)
    with Stack(plan) as running:
        yield running


class Owner:
    """One business owner on the chat page (own cookie: own conversation)."""

    def __init__(self, web: str) -> None:
        self.web = web
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def say(self, text: str) -> list[dict]:
        async with self.session.post(f"{self.web}/api/chat", json={"message": text}) as reply:
            assert reply.status == 200
            return (await reply.json())["messages"]

    async def vote_first_answer(self, vote: str) -> None:
        async with self.session.get(f"{self.web}/api/chat/history") as reply:
            messages = (await reply.json())["messages"]
        answer = next(m for m in messages if m.get("answer"))
        async with self.session.post(f"{self.web}/api/chat/feedback",
                                     json={"message_id": answer["id"], "vote": vote}) as reply:
            assert reply.status == 200, await reply.text()

    async def close(self) -> None:
        await self.session.close()


async def summary(web: str, token: str, **query: str) -> dict:
    # Yesterday and today: the run may cross midnight in Brussels (the stack's data is only
    # this test's own, so the wider window adds nothing else).
    today = datetime.now(ZoneInfo("Europe/Brussels")).date()
    params = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat(), **query}
    async with aiohttp.ClientSession() as session, session.get(
            f"{web}/api/insights/summary", params=params,
            headers={"Authorization": f"Bearer {token}"}) as reply:
        assert reply.status == 200, await reply.text()
        return await reply.json()


async def test_the_api_shows_exactly_the_scripted_conversations(stack):
    web = stack.url("web")
    owners = [Owner(web) for _ in range(5)]
    aalst_1, aalst_2, aalst_3, gent, niklaas = owners
    try:
        await aalst_1.say(TERRAS_AALST)
        await aalst_1.vote_first_answer("up")
        await aalst_2.say(TERRAS_AALST)
        await aalst_2.say("qsdfjkl blub wortel paraplu")  # out of scope: a fallback
        await aalst_3.say("ik wil met een medewerker spreken")
        handoff = await aalst_3.say("Aalst")
        assert any((m.get("custom") or {}).get("handoff") for m in handoff), handoff
        replies: list[dict] = []
        for step in DOSSIER_GENT:
            if isinstance(step, tuple):
                buttons = {b["title"]: b["payload"] for m in replies for b in m.get("buttons", [])}
                assert step[0] in buttons, replies
                replies = await gent.say(buttons[step[0]])
            else:
                replies = await gent.say(step)
        # What the owner was told: submitted (a reference) or waiting in the outbox. When the
        # dossier service refuses it, nothing was submitted and 0 must be shown.
        submitted = int(any((m.get("custom") or {}).get("dossier") for m in replies))
        await gent.vote_first_answer("down")
        await niklaas.say("ik wil een terras plaatsen in Sint-Niklaas")
        finished = time.monotonic()
    finally:
        for owner in owners:
            await owner.close()

    expected_aalst = {"nis": "41002", "name": "Aalst", "conversations": 3,
                      "topics": {"terrasvergunning": 2}, "fallbacks": 1, "handoffs": 1,
                      "dossiers_submitted": 0, "feedback": {"up": 1, "down": 0}}
    expected_gent = {"nis": "44021", "name": "Gent", "conversations": 1,
                     "topics": {"terrasvergunning": 1}, "fallbacks": 0, "handoffs": 0,
                     "dossiers_submitted": submitted, "feedback": {"up": 0, "down": 1}}
    expected_niklaas = {"nis": "46021", "name": "Sint-Niklaas", "conversations": 1,
                        "topics": {"terrasvergunning": 1}, "fallbacks": 0, "handoffs": 0,
                        "dossiers_submitted": 0, "feedback": {"up": 0, "down": 0}}
    while True:  # the figures must be there within 10 seconds of the last conversation
        aalst_view = await summary(web, AALST_TOKEN)
        province_view = await summary(web, PROVINCE_TOKEN)
        if aalst_view["municipalities"] == [expected_aalst] and \
                province_view["municipalities"] == [expected_aalst, expected_gent,
                                                    expected_niklaas]:
            break
        assert time.monotonic() - finished < 10, (aalst_view, province_view)
        await asyncio.sleep(0.5)
    async with aiohttp.ClientSession() as session, session.get(
            f"{web}/api/insights/summary", params={"from": "2026-01-01", "to": "2026-01-02",
                                                  "nis": "44021"},
            headers={"Authorization": f"Bearer {AALST_TOKEN}"}) as reply:
        assert reply.status == 403  # Gent is not Aalst's


def test_the_analytics_store_holds_no_personal_data(stack):
    import sqlite3

    path = stack.plan.config.state_dir / "insights.sqlite3"
    with sqlite3.connect(path) as db:
        dump = "\n".join(db.iterdump())
    for secret in ("Peeters", "jan.peeters", "0202.239.951", "0470 12 34 56", "Korenmarkt",
                   "De Hoek"):
        assert secret not in dump
