"""The monthly report /officer/insights/report?month=YYYY-MM: the dashboard's figures of one
calendar month for the officer's municipalities, beside the median, printable HTML and CSV,
small counts suppressed."""

from __future__ import annotations

import csv
import io
import re

import pytest

from bot.insights import store
from bot.insights.api import API_KEY
from bot.insights.turns import Turn
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.handoff.conftest import PASSWORD
from tests.bot.handoff.web_helpers import SERVICE_TOKEN, hub, login
from tests.insights.test_details import seed
from tests.web.test_chat import FakeRasa as FakeChat


async def make_client(aiohttp_client, monkeypatch, tmp_path, min_count: str):
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", SERVICE_TOKEN)
    monkeypatch.setenv("INSIGHTS_DB_URL", f"sqlite:///{tmp_path / 'insights.sqlite3'}")
    monkeypatch.setenv("INSIGHTS", "off")
    monkeypatch.setenv("INSIGHTS_MIN_COUNT", min_count)
    client = await aiohttp_client(create_app(WebConfig(), rasa=FakeChat()))  # type: ignore[arg-type]
    officers = hub(client).officers
    await officers.create("sofie", PASSWORD, ["aalst"], display_name="Sofie")
    await officers.create("ann", PASSWORD, ["provincie_oost_vlaanderen"], display_name="Ann")
    await seed(client.server.app)
    async with client.server.app[API_KEY].db.transaction() as tx:  # October: not in November
        await store.write_turn(tx, Turn(key="o1", conversation="c-oct", at=1.0,
                                        day="2026-10-31", nis="41002", topic="hinderpremie"))
    return client


@pytest.fixture()
async def client(aiohttp_client, monkeypatch, tmp_path):
    return await make_client(aiohttp_client, monkeypatch, tmp_path, "1")


def row(html: str, table: str, first_cell: str) -> list[str]:
    body = re.search(rf'<table class="{table}">.*?</table>', html, re.S)
    assert body, table
    for cells in re.findall(r"<tr>(.*?)</tr>", body.group(0), re.S):
        values = re.findall(r"<td>(.*?)</td>", cells)
        if values and values[0] == first_cell:
            return values
    raise AssertionError(f"no row {first_cell!r} in {table}")


async def test_the_report_shows_the_month_beside_the_median(client):
    assert (await login(client, "ann")).status == 303
    response = await client.get("/officer/insights/report", params={"month": "2026-11"})
    assert response.status == 200
    html = await response.text()
    assert "maandrapport november 2026" in html and "2026-11-01 tot en met 2026-11-30" in html
    assert row(html, "figures", "Aalst")[:3] == ["Aalst", "3", "1"]  # October's turn left out
    assert row(html, "figures", "Gent")[1] == "1"
    # Aalst: 1 of 3 fell back (33.3 %); the median of Aalst and Gent (0 %) is 16.65 %.
    assert row(html, "comparison", "Aalst") == ["Aalst", "33.3 %", "16.65 %", "33.3 %",
                                                "16.65 %"]
    assert row(html, "dossiers", "Terrasvergunning") == ["Terrasvergunning", "2", "1", "1",
                                                         "Oppervlakte: 1"]
    assert row(html, "topics", "Aalst")[1:] == ["Terrasvergunning", "2"]
    assert row(html, "topic-comparison", "Terrasvergunning")[:4] == [
        "Terrasvergunning", "2", "0 %", "0 %"]
    assert row(html, "dossier-comparison", "Terrasvergunning")[:4] == [
        "Terrasvergunning", "2", "50 %", "50 %"]
    assert "Hinderpremie" not in re.search(r'<table class="topics">.*?</table>', html,
                                           re.S).group(0)
    assert "@media print" in await (await client.get(
        "/officer/insights/static/insights.css")).text()


async def test_csv_of_the_month_and_one_municipality(client):
    assert (await login(client, "ann")).status == 303
    response = await client.get("/officer/insights/report",
                                params={"month": "2026-11", "nis": "44021", "format": "csv"})
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert "maandrapport-2026-11.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert {(r["from"], r["to"]) for r in rows} == {("2026-11-01", "2026-11-30")}
    assert {r["nis"] for r in rows if r["nis"]} == {"44021"}
    by_key = {(r["figure"], r["topic"]): r["count"] for r in rows if r["nis"] == "44021"}
    assert by_key[("conversations", "")] == "1"
    assert by_key[("topic", "kmo_portefeuille")] == "1"


async def test_only_the_officers_municipalities(client):
    assert (await login(client, "sofie")).status == 303
    html = await (await client.get("/officer/insights/report",
                                   params={"month": "2026-11"})).text()
    assert "Gent" not in re.search(r'<table class="figures">.*?</table>', html, re.S).group(0)
    forbidden = await client.get("/officer/insights/report",
                                 params={"month": "2026-11", "nis": "44021"})
    assert forbidden.status == 403
    assert any(e.action == "insights_report" for e in await hub(client).audit.entries())


async def test_a_bad_month_shows_the_last_complete_month(client):
    assert (await login(client, "sofie")).status == 303
    html = await (await client.get("/officer/insights/report", params={"month": "2026-13"})
                  ).text()
    assert 'class="error"' in html


async def test_small_counts_are_suppressed_in_the_report(aiohttp_client, monkeypatch,
                                                         tmp_path):
    client = await make_client(aiohttp_client, monkeypatch, tmp_path, "2")
    assert (await login(client, "ann")).status == 303
    html = await (await client.get("/officer/insights/report",
                                   params={"month": "2026-11"})).text()
    assert row(html, "figures", "Gent")[1] == "–"  # one conversation
    assert row(html, "figures", "Aalst")[1:3] == ["3", "–"]  # one fallback
    assert row(html, "dossiers", "Terrasvergunning")[1:] == ["2", "–", "–", "Oppervlakte: –"]
    response = await client.get("/officer/insights/report", allow_redirects=False)
    assert response.status == 200
