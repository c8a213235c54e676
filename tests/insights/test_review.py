"""/officer/insights/review: unanswered questions of the officer's municipalities only, grouped,
assigned to a topic (examples in the reviewed training file, masked) or marked "geen
onderwerp"; CSRF-protected and audited."""

from __future__ import annotations

import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.insights import store
from bot.insights.api import API_KEY
from bot.insights.events import mask_text
from bot.insights.turns import Turn
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.handoff.conftest import PASSWORD
from tests.bot.handoff.web_helpers import SERVICE_TOKEN, csrf_of, hub, login
from tests.web.test_chat import FakeRasa as FakeChat

TODAY = datetime.now(ZoneInfo("Europe/Brussels")).date().isoformat()
KEY_RE = re.compile(r'name="turn" value="([^"]+)"')
SUNSHADE = ["mag ik een zonnescherm boven mijn winkel hangen",
            "zonnescherm boven de winkel, moet dat aangevraagd worden",
            "zonnescherm winkel ophangen regels",
            "mag ik een zonnescherm boven mijn winkel hangen"]


async def seed(app, now: float) -> None:
    rows = [("41002", text) for text in SUNSHADE] + [
        ("41002", "kan ik mijn hond meenemen naar het loket, mail jan.peeters@example.be"),
        ("44021", "waar parkeer ik mijn foodtruck tijdens de gentse feesten"),
        ("12025", "subsidie voor laadpalen bij mijn garage in mechelen"),
        (None, "hoeveel kost een dakrenovatie voor mijn bakkerij"),
    ]
    async with app[API_KEY].db.transaction() as tx:
        for n, (nis, text) in enumerate(rows):
            await store.write_turn(tx, Turn(key=f"k{n}", conversation=f"c{n}", at=now - n,
                                            day=TODAY, nis=nis, fell_back=True,
                                            text=mask_text(text)))  # as the consumer keeps it
        # Past the text retention: never shown (even when the purge has not run yet).
        await store.write_turn(tx, Turn(key="old", conversation="c-old",
                                        at=now - 91 * 86400, day="2020-01-01", nis="41002",
                                        fell_back=True, text="zonnescherm oude vraag"))
        # Answered: no text, no review.
        await store.write_turn(tx, Turn(key="ok", conversation="c-ok", at=now, day=TODAY,
                                        nis="41002", topic="terrasvergunning"))


@pytest.fixture()
async def client(aiohttp_client, monkeypatch, tmp_path):
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", SERVICE_TOKEN)
    monkeypatch.setenv("INSIGHTS_DB_URL", f"sqlite:///{tmp_path / 'insights.sqlite3'}")
    monkeypatch.setenv("INSIGHTS_REVIEWED_FILE", str(tmp_path / "data" / "nlu" / "reviewed.yml"))
    monkeypatch.setenv("INSIGHTS", "off")
    monkeypatch.setenv("INSIGHTS_MIN_COUNT", "2")
    client = await aiohttp_client(create_app(WebConfig(), rasa=FakeChat()))  # type: ignore[arg-type]
    officers = hub(client).officers
    await officers.create("sofie", PASSWORD, ["aalst"], display_name="Sofie")
    await officers.create("ann", PASSWORD, ["provincie_oost_vlaanderen"], display_name="Ann")
    await seed(client.server.app, time.time())
    client.reviewed = tmp_path / "data" / "nlu" / "reviewed.yml"  # type: ignore[attr-defined]
    return client


async def review_page(client, name: str) -> str:
    assert (await login(client, name)).status == 303
    response = await client.get("/officer/insights/review")
    assert response.status == 200
    return await response.text()


def groups_of(html: str) -> list[str]:
    """The questions shown, per group (the topic list of the forms left out)."""
    return re.findall(r'<ul class="examples">(.*?)</ul>', html, re.S)


def section_with(html: str, word: str) -> str:
    """The whole group (counts, form) whose questions contain `word`."""
    sections = re.findall(r'<section class="group".*?</section>', html, re.S)
    return next(s for s in sections if word in "".join(groups_of(s)))


async def test_the_page_needs_a_session_and_decisions_a_csrf_token(client):
    response = await client.get("/officer/insights/review", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/officer/login"
    assert (await client.post("/officer/insights/review", data={})).status == 401
    html = await review_page(client, "sofie")
    keys = KEY_RE.findall(html)
    refused = await client.post("/officer/insights/review",
                                data={"action": "none", "turn": keys, "csrf": "wrong"})
    assert refused.status == 403
    assert len(groups_of(await (await client.get("/officer/insights/review")).text())) == 2


async def test_an_officer_sees_the_masked_questions_of_their_municipalities_grouped(client):
    html = await review_page(client, "sofie")
    groups = groups_of(html)
    assert len(groups) == 2  # the sunshade questions together, the dog apart
    assert "zonnescherm" in groups[0] and "hond" not in groups[0]
    assert '<span class="conversations">4</span>' in html.split('class="examples"')[0]
    assert "jan.peeters@example.be" not in html and "[email]" in html
    for elsewhere in ("foodtruck", "laadpalen", "dakrenovatie", "oude vraag"):
        assert elsewhere not in "".join(groups)


async def test_the_province_team_sees_its_province_and_unplaced_questions(client):
    html = await review_page(client, "ann")
    shown = "".join(groups_of(html))
    assert "foodtruck" in shown and "dakrenovatie" in shown and "zonnescherm" in shown
    assert "laadpalen" not in shown  # Mechelen is not in Oost-Vlaanderen
    # Single conversations: their counts are not shown exactly.
    foodtruck = section_with(html, "foodtruck")
    assert '<span class="conversations">&lt; 2</span>' in foodtruck


async def test_assigning_a_group_writes_masked_examples_to_the_reviewed_file(client):
    html = await review_page(client, "sofie")
    sunshade = section_with(html, "zonnescherm")
    response = await client.post("/officer/insights/review", allow_redirects=False, data={
        "csrf": csrf_of(html), "action": "topic", "topic": "reclame_uithangbord",
        "turn": KEY_RE.findall(sunshade)})
    assert response.status == 303
    after = await (await client.get(response.headers["Location"])).text()
    assert "4 vragen toegewezen aan" in after and "3 nieuwe voorbeelden" in after
    assert len(groups_of(after)) == 1 and "zonnescherm" not in "".join(groups_of(after))
    data = yaml.safe_load(client.reviewed.read_text("utf-8"))
    [block] = data["nlu"]
    assert block["intent"] == "ask_reclame_uithangbord"
    examples = [line[2:] for line in block["examples"].splitlines()]
    assert sorted(examples) == sorted(set(SUNSHADE))
    text = client.reviewed.read_text("utf-8")
    assert "c0" not in text and "k0" not in text  # no conversation or turn ids
    entries = await hub(client).audit.entries()
    assert any(e.action == "insights_review_topic" and "reclame_uithangbord: 4" in (e.target or "")
               for e in entries)


async def test_keys_outside_the_officers_municipalities_are_ignored(client):
    html = await review_page(client, "sofie")
    response = await client.post("/officer/insights/review", allow_redirects=False, data={
        "csrf": csrf_of(html), "action": "topic", "topic": "reclame_uithangbord",
        "turn": ["k5", "k6", "k7", "old"]})  # Gent, Mechelen, no municipality, too old
    assert response.status == 303 and "done=0" in response.headers["Location"]
    assert not client.reviewed.exists()
    async with client.server.app[API_KEY].db.transaction() as tx:
        assert await tx.fetchall("SELECT * FROM insights_reviews") == []


async def test_geen_onderwerp_takes_the_group_off_the_list_without_training_data(client):
    html = await review_page(client, "sofie")
    dog = section_with(html, "hond")
    response = await client.post("/officer/insights/review", data={
        "csrf": csrf_of(html), "action": "none", "turn": KEY_RE.findall(dog)})
    after = await response.text()
    assert "Geen onderwerp" in after and "hond" not in "".join(groups_of(after))
    proposals = re.findall(r'<ul class="proposal-examples">(.*?)</ul>', after, re.S)
    assert len(proposals) == 1 and "hond" in proposals[0]  # a new-topic proposal
    assert not client.reviewed.exists()
    assert any(e.action == "insights_review_none" for e in await hub(client).audit.entries())


async def test_an_unknown_topic_is_refused(client):
    html = await review_page(client, "sofie")
    response = await client.post("/officer/insights/review", data={
        "csrf": csrf_of(html), "action": "topic", "topic": "../../etc", "turn": ["k0"]})
    assert response.status == 400


async def test_a_large_group_fits_in_the_web_apps_body_limit(client):
    async with client.server.app[API_KEY].db.transaction() as tx:
        for n in range(600):  # keys as long as the consumer's (sha256 hex)
            await store.write_turn(tx, Turn(
                key=f"{n:064x}", conversation=f"big-{n}", at=time.time() - n, day=TODAY,
                nis="41002", fell_back=True, text="mag mijn zonnescherm boven de winkel"))
    html = await review_page(client, "sofie")
    sunshade = section_with(html, "zonnescherm")
    keys = KEY_RE.findall(sunshade)
    assert len(keys) == 500
    response = await client.post("/officer/insights/review", allow_redirects=False, data={
        "csrf": csrf_of(html), "action": "none", "turn": keys})
    assert response.status == 303 and "done=500" in response.headers["Location"]
    assert "zonnescherm" in "".join(groups_of(await (await client.get(
        "/officer/insights/review")).text()))  # the other 104 come back


def test_texts_are_shown_only_within_the_shorter_retention():
    from dataclasses import replace

    from bot.insights.api import InsightsApi
    from bot.insights.config import InsightsConfig
    from bot.insights.review import retention_days
    from bot.insights.scope import Scope

    api = InsightsApi(InsightsConfig(tenant="t", text_retention_days=90), None,  # type: ignore[arg-type]
                      Scope({}, {}, {}, {"t": 30}))
    assert retention_days(api) == 30  # the tenant's purge removes them after 30 days
    assert retention_days(replace(api, config=replace(api.config, text_retention_days=7))) == 7
