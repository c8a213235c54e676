"""/officer/insights: officer session required, only the officer's municipalities, filters,
CSV export, Chart.js and our script served by the app under the CSP (no inline script)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.insights import store
from bot.insights.api import API_KEY
from bot.insights.dashboard import STATIC, median_rates
from bot.insights.turns import Turn
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.handoff.conftest import PASSWORD
from tests.bot.handoff.web_helpers import SERVICE_TOKEN, hub, login
from tests.web.test_chat import FakeRasa as FakeChat

TODAY = datetime.now(ZoneInfo("Europe/Brussels")).date().isoformat()
DATA_RE = re.compile(r'<script type="application/json" id="insights-data">(.*?)</script>', re.S)


@pytest.fixture()
async def client(aiohttp_client, monkeypatch, tmp_path):
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", SERVICE_TOKEN)
    monkeypatch.setenv("INSIGHTS_DB_URL", f"sqlite:///{tmp_path / 'insights.sqlite3'}")
    monkeypatch.setenv("INSIGHTS", "off")
    monkeypatch.setenv("INSIGHTS_MIN_COUNT", "2")
    client = await aiohttp_client(create_app(WebConfig(), rasa=FakeChat()))  # type: ignore[arg-type]
    officers = hub(client).officers
    await officers.create("sofie", PASSWORD, ["aalst"], display_name="Sofie")
    await officers.create("ann", PASSWORD, ["provincie_oost_vlaanderen"], display_name="Ann")
    await seed_turns(client.server.app)
    return client


async def seed_turns(app) -> None:
    """Aalst: 4 conversations (3 on terraces, 1 kmo-portefeuille, 1 fallback), Gent 2,
    Mechelen 4 (outside Oost-Vlaanderen)."""
    async with app[API_KEY].db.transaction() as tx:
        for n, (nis, topic) in enumerate([("41002", "terrasvergunning")] * 3
                                         + [("41002", "kmo_portefeuille")]
                                         + [("44021", "terrasvergunning")] * 2
                                         + [("12025", "terrasvergunning")] * 4):
            await store.write_turn(tx, Turn(key=f"t{n}", conversation=f"c{n}", at=1.0 + n,
                                            day=TODAY, nis=nis, topic=topic,
                                            fell_back=n == 0))


async def logged_in(client, name: str) -> None:
    response = await login(client, name)
    assert response.status == 303


def figures(html: str) -> dict:
    match = DATA_RE.search(html)
    assert match
    return json.loads(match.group(1))


async def test_the_page_needs_an_officer_session(client):
    response = await client.get("/officer/insights", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/officer/login"
    assert (await client.get("/officer/insights.csv")).status == 401


async def test_an_officer_sees_the_municipalities_of_their_counters(client):
    await logged_in(client, "sofie")
    response = await client.get("/officer/insights")
    assert response.status == 200
    html = await response.text()
    data = figures(html)
    [aalst] = data["summary"]["municipalities"]
    assert aalst["nis"] == "41002" and aalst["conversations"] == 4
    assert aalst["topics"] == {"terrasvergunning": 3, "kmo_portefeuille": None}  # 1 < 2
    assert "Gent" not in html and "Mechelen" not in html
    assert data["weekly"] and {p["nis"] for p in data["weekly"]} == {"41002"}
    forbidden = await client.get("/officer/insights", params={"nis": "44021"})
    assert forbidden.status == 403


async def test_the_province_team_sees_its_province_and_filters_a_municipality(client):
    await logged_in(client, "ann")
    data = figures(await (await client.get("/officer/insights")).text())
    assert [m["nis"] for m in data["summary"]["municipalities"]] == ["41002", "44021"]
    html = await (await client.get("/officer/insights", params={"nis": "44021"})).text()
    data = figures(html)
    assert [m["nis"] for m in data["summary"]["municipalities"]] == ["44021"]
    assert '<option value="41002">Aalst</option>' in html  # the filter still offers Aalst
    assert '<option value="44021" selected>Gent</option>' in html


async def test_csv_export(client):
    await logged_in(client, "ann")
    response = await client.get("/officer/insights.csv", params={"from": TODAY, "to": TODAY})
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    by_key = {(r["nis"], r["figure"], r["topic"]): r["count"] for r in rows}
    assert by_key[("41002", "conversations", "")] == "4"
    assert by_key[("41002", "topic", "kmo_portefeuille")] == ""  # suppressed
    assert by_key[("44021", "topic", "terrasvergunning")] == "2"
    assert by_key[("41002", "fallbacks", "")] == ""  # one conversation: suppressed
    assert not any(r["nis"] == "12025" for r in rows)


async def test_no_inline_script_or_style_under_the_csp(client):
    await logged_in(client, "sofie")
    response = await client.get("/officer/insights")
    html = await response.text()
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="/officer/insights/static/' in tag or 'type="application/json"' in tag
    assert "style=" not in html and "<style" not in html
    assert "cdn" not in html.lower()


async def test_static_files_are_ours(client):
    script = await client.get("/officer/insights/static/insights.js")
    assert script.status == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert (await client.get("/officer/insights/static/secrets.js")).status == 404
    assert (await client.get("/officer/insights/static/..%2Fapi.py")).status == 404
    if STATIC["chart.umd.js"][0].is_file():  # node_modules (npm ci) present
        chart = await client.get("/officer/insights/static/chart.umd.js")
        assert chart.status == 200 and "Chart" in (await chart.text())[:5000]


async def test_bad_dates_fall_back_to_the_last_four_weeks(client):
    await logged_in(client, "sofie")
    before = datetime.now(ZoneInfo("Europe/Brussels")).date().isoformat()
    html = await (await client.get("/officer/insights", params={"from": "x", "to": "y"})).text()
    after = datetime.now(ZoneInfo("Europe/Brussels")).date().isoformat()
    assert 'class="error"' in html
    assert figures(html)["summary"]["to"] in {before, after}  # today, even across midnight


async def test_each_municipality_beside_the_median_of_all(client):
    await logged_in(client, "sofie")
    html = await (await client.get("/officer/insights")).text()
    assert "Mediaan van alle gemeenten" in html
    # Gent 0 of 2 and Mechelen 0 of 4 fell back (Aalst's single fallback is suppressed).
    assert figures(html)["summary"]["median"] == {"fallbacks": 0.0, "handoffs": 0.0}
    assert "Mechelen" not in html  # the median names no other municipality


def test_median_rates():
    rows = [{"conversations": c, "fallbacks": f, "handoffs": h}
            for c, f, h in [(10, 1, 0), (20, 10, 2), (8, None, 1), (None, None, None), (5, 5, 5)]]
    assert median_rates(rows) == {"fallbacks": 50.0, "handoffs": 11.25}
    assert median_rates([]) == {"fallbacks": None, "handoffs": None}
