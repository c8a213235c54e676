"""The insights page beyond the summary: busiest hours against the counter's opening hours,
dossiers started / submitted / abandoned per type, feedback per topic, hand-offs per counter,
and the counter, channel and topic filters (all within the officer's municipalities)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.insights import details, store
from bot.insights.api import API_KEY
from bot.insights.summary import Filters, Period
from bot.insights.turns import HandoffOutcome, HandoffTaken, Turn
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.handoff.conftest import PASSWORD
from tests.bot.handoff.web_helpers import SERVICE_TOKEN, hub, login
from tests.insights.test_dashboard import figures
from tests.web.test_chat import FakeRasa as FakeChat

DAY = "2026-11-03"  # a Tuesday: Aalst's counter is open 09:00-12:00 and 13:30-16:00
ZONE = ZoneInfo("Europe/Brussels")
PERIOD = {"from": DAY, "to": DAY}


def at(hour: int, minute: int = 0) -> float:
    return datetime(2026, 11, 3, hour, minute, tzinfo=ZONE).timestamp()


async def seed(app) -> None:
    turns = [
        Turn(key="a1", conversation="c1", at=at(10), day=DAY, nis="41002", channel="rest",
             topic="terrasvergunning", dossier_started="terrasvergunning"),
        Turn(key="a2", conversation="c1", at=at(10, 5), day=DAY, nis="41002", channel="rest",
             topic="terrasvergunning", dossier_submitted="terrasvergunning", dossier_ref="r1"),
        Turn(key="a3", conversation="c2", at=at(10, 30), day=DAY, nis="41002", channel="rest",
             topic="terrasvergunning", dossier_started="terrasvergunning",
             dossier_form="terrasvergunning", dossier_step="dossier_surface"),
        Turn(key="a4", conversation="c3", at=at(20), day=DAY, nis="41002", channel="socketio",
             fell_back=True, handoff="queued", handoff_ref="h1", counter="aalst"),
        Turn(key="g1", conversation="c4", at=at(11), day=DAY, nis="44021", channel="rest",
             topic="kmo_portefeuille"),
    ]
    async with app[API_KEY].db.transaction() as tx:
        for turn in turns:
            await store.write_turn(tx, turn)
        await store.write_outputs(tx, [HandoffOutcome("h1", "taken"),
                                       HandoffTaken("h1", at(20, 3))])
        for key, conversation, vote in (("v1", "c1", "up"), ("v2", "c2", "down")):
            await store.write_vote(tx, vote_key=key, conversation=conversation,
                                   message=f"m-{key}", vote=vote, topic="terrasvergunning",
                                   nis="41002", day=DAY)


@pytest.fixture()
async def client(aiohttp_client, monkeypatch, tmp_path):
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", SERVICE_TOKEN)
    monkeypatch.setenv("INSIGHTS_DB_URL", f"sqlite:///{tmp_path / 'insights.sqlite3'}")
    monkeypatch.setenv("INSIGHTS", "off")
    monkeypatch.setenv("INSIGHTS_MIN_COUNT", "1")
    client = await aiohttp_client(create_app(WebConfig(), rasa=FakeChat()))  # type: ignore[arg-type]
    officers = hub(client).officers
    await officers.create("sofie", PASSWORD, ["aalst"], display_name="Sofie")
    await officers.create("ann", PASSWORD, ["provincie_oost_vlaanderen"], display_name="Ann")
    await seed(client.server.app)
    return client


async def data_of(client, **params: str) -> dict:
    response = await client.get("/officer/insights", params={**PERIOD, **params})
    assert response.status == 200
    return figures(await response.text())


async def test_busiest_hours_against_the_opening_hours(client):
    assert (await login(client, "sofie")).status == 303
    hours = {h["hour"]: h for h in (await data_of(client))["hours"]}
    assert hours[10] == {"hour": 10, "open": 3, "closed": 0, "unknown": 0}
    assert hours[20] == {"hour": 20, "open": 0, "closed": 1, "unknown": 0}
    assert hours[11]["open"] == 0  # Gent's question is not Sofie's


async def test_dossiers_feedback_and_handoffs(client):
    assert (await login(client, "sofie")).status == 303
    data = await data_of(client)
    assert data["dossiers"] == [{"type": "terrasvergunning", "started": 2, "submitted": 1,
                                 "abandoned": 1, "stopped_at": {"dossier_surface": 1}}]
    assert data["feedback_topics"] == [{"topic": "terrasvergunning", "up": 1, "down": 1}]
    html = await (await client.get("/officer/insights", params=PERIOD)).text()
    assert "Ondernemersloket Aalst" in html and "opgenomen door een medewerker: 1" in html
    assert "Oppervlakte: 1" in html  # where the abandoned dossier stopped
    [aalst] = data["handoffs"]
    assert aalst["median_wait_seconds"] == 180 and "3.0 min" in html


async def test_channel_topic_and_counter_filters(client):
    assert (await login(client, "ann")).status == 303
    everything = await data_of(client)
    assert [m["conversations"] for m in everything["summary"]["municipalities"]] == [3, 1]
    [aalst] = (await data_of(client, channel="socketio"))["summary"]["municipalities"]
    assert aalst["conversations"] == 1 and aalst["fallbacks"] == 1
    on_topic = await data_of(client, topic="terrasvergunning")
    assert [(m["nis"], m["conversations"]) for m in on_topic["summary"]["municipalities"]] == [
        ("41002", 2)]
    assert on_topic["feedback_topics"] == [{"topic": "terrasvergunning", "up": 1, "down": 1}]
    by_counter = await data_of(client, counter="gent")
    assert [m["nis"] for m in by_counter["summary"]["municipalities"]] == ["44021"]
    response = await client.get("/officer/insights.csv", params={**PERIOD, "counter": "gent"})
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert {r["nis"] for r in rows if r["nis"]} == {"44021"}


async def test_a_counter_outside_the_officers_municipalities_is_refused(client):
    assert (await login(client, "sofie")).status == 303
    response = await client.get("/officer/insights", params={**PERIOD, "counter": "gent"})
    assert response.status == 403


async def test_small_counts_are_suppressed(client):
    db = client.server.app[API_KEY].db
    period = Period(datetime(2026, 11, 3).date(), datetime(2026, 11, 3).date())
    async with db.transaction() as tx:
        [terras] = await details.dossiers(tx, period, ["41002"], Filters(), 2)
        hours = await details.hours(tx, period, ["41002"], Filters(), 2, "Europe/Brussels",
                                    lambda nis: None)
    assert terras == {"type": "terrasvergunning", "started": 2, "submitted": None,
                      "abandoned": None, "stopped_at": {"dossier_surface": None}}
    assert hours[10]["unknown"] == 3 and hours[20]["unknown"] is None
