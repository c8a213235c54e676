"""GET /api/insights/summary: auth, scoping to the token's counters, suppression, dates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web

from bot.insights import store
from bot.insights.api import API_KEY
from bot.insights.config import InsightsConfig, InsightsConfigError, parse_tokens
from bot.insights.db import open_database
from bot.insights.turns import Turn
from bot.insights.web import setup_insights
from bot.webcore.config import WebConfig
from tests.insights.helpers import make_config

AALST, GENT, MECHELEN = "41002", "44021", "12025"
TOKENS = {
    "aalst-token-0123456789": ("aalst",),
    "gent-token-01234567890": ("gent",),
    "province-token-0123456": ("provincie_oost_vlaanderen",),
    "all-token-012345678901": ("*",),
    "mechelen-and-aalst-0123": ("mechelen", "aalst"),
}
URL = "/api/insights/summary"
PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}


def turn(n: int, nis: str, day: str = "2026-11-10", **fields) -> Turn:
    return Turn(key=f"{nis}-{day}-{n}-{fields.get('topic')}-{fields.get('intent')}",
                conversation=fields.pop("conversation", f"c-{nis}-{n}"), at=1.0 + n, day=day,
                nis=nis, tenant="oost-vlaanderen", **fields)


async def seed(config: InsightsConfig) -> None:
    db = open_database(config.db_url)
    async with db.transaction() as tx:
        rows = [
            *[turn(n, AALST, topic="terrasvergunning") for n in range(6)],
            *[turn(n, AALST, intent="nlu_fallback", fell_back=True) for n in range(5)],
            turn(0, AALST, intent="x", topic="terrasvergunning"),  # same conversation again
            *[turn(n, AALST, topic="kmo_portefeuille") for n in range(2)],
            *[turn(n, AALST, handoff="queued") for n in range(3)],
            turn(0, AALST, handoff="unavailable", intent="h2"),
            *[turn(n, AALST, dossier_submitted="terrasvergunning", dossier_ref=f"d{n}",
                   intent="d") for n in range(5)],
            *[turn(n, GENT, topic="terrasvergunning") for n in range(7)],
            *[turn(n, MECHELEN, topic="terrasvergunning") for n in range(9)],
            turn(50, AALST, day="2026-10-31", topic="terrasvergunning"),
            turn(51, AALST, day="2026-12-01", topic="terrasvergunning"),
        ]
        for row in rows:
            await store.write_turn(tx, row)
        for n in range(5):
            await tx.execute("INSERT INTO insights_feedback VALUES (?, ?, NULL, 'up', NULL, ?, "
                             "'2026-11-10')", f"v{n}", f"c-{AALST}-{n}", AALST)
        await tx.execute("INSERT INTO insights_feedback VALUES ('v9', 'c-x', NULL, 'down', NULL, "
                         "?, '2026-11-10')", AALST)
    await db.close()


@pytest.fixture()
def config(tmp_path: Path) -> InsightsConfig:
    return replace(make_config(tmp_path), api_tokens=TOKENS, min_count=5, enabled=False)


@pytest.fixture()
async def client(aiohttp_client, config):
    await seed(config)
    app = web.Application()
    setup_insights(app, WebConfig(), config)
    return await aiohttp_client(app)


async def get(client, token: str | None, **query):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.get(URL, params=query, headers=headers)


async def body(client, token: str, **query) -> dict:
    response = await get(client, token, **query)
    assert response.status == 200, await response.text()
    assert response.headers["Cache-Control"] == "no-store"
    return await response.json()


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope-nope-nope-nope"},
                                     {"Authorization": "aalst-token-0123456789"},
                                     {"Authorization": "Basic aalst-token-0123456789"}])
async def test_without_a_valid_bearer_token_401(client, headers):
    response = await client.get(URL, params=PERIOD, headers=headers)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_the_answer_has_exactly_the_documented_shape(client):
    data = await body(client, "aalst-token-0123456789", **PERIOD)
    assert set(data) == {"from", "to", "municipalities"}
    assert (data["from"], data["to"]) == ("2026-11-01", "2026-11-30")
    [aalst] = data["municipalities"]
    assert set(aalst) == {"nis", "name", "conversations", "topics", "fallbacks", "handoffs",
                          "dossiers_submitted", "feedback"}
    assert set(aalst["feedback"]) == {"up", "down"}
    assert (aalst["nis"], aalst["name"]) == (AALST, "Aalst")


async def test_counts_and_suppression_below_min_count(client):
    [aalst] = (await body(client, "aalst-token-0123456789", **PERIOD))["municipalities"]
    assert aalst["conversations"] == 6  # c-41002-0 .. -5, whatever they did
    assert aalst["topics"] == {"terrasvergunning": 6, "kmo_portefeuille": None}
    assert aalst["fallbacks"] == 5
    assert aalst["handoffs"] is None  # 3 conversations (the unavailable one is no hand-off)
    assert aalst["dossiers_submitted"] == 5
    assert aalst["feedback"] == {"up": 5, "down": None}


async def test_min_count_one_shows_every_count(client):
    api = client.server.app[API_KEY]
    api.config = replace(api.config, min_count=1)
    [aalst] = (await body(client, "aalst-token-0123456789", **PERIOD))["municipalities"]
    assert aalst["topics"] == {"terrasvergunning": 6, "kmo_portefeuille": 2}
    assert aalst["handoffs"] == 3
    assert aalst["feedback"] == {"up": 5, "down": 1}


async def test_a_token_sees_only_its_counters_municipalities(client):
    gent = await body(client, "gent-token-01234567890", **PERIOD)
    assert [m["nis"] for m in gent["municipalities"]] == [GENT]
    both = await body(client, "mechelen-and-aalst-0123", **PERIOD)
    assert [m["nis"] for m in both["municipalities"]] == sorted([MECHELEN, AALST])


async def test_the_province_team_sees_its_province_only(client):
    data = await body(client, "province-token-0123456", **PERIOD)
    assert sorted(m["nis"] for m in data["municipalities"]) == [AALST, GENT]


async def test_the_all_token_sees_everything(client):
    data = await body(client, "all-token-012345678901", **PERIOD)
    assert [m["nis"] for m in data["municipalities"]] == sorted([MECHELEN, AALST, GENT])


async def test_a_municipality_outside_the_counters_is_refused(client):
    response = await get(client, "aalst-token-0123456789", nis=GENT, **PERIOD)
    assert response.status == 403


async def test_the_nis_filter(client):
    data = await body(client, "province-token-0123456", nis=GENT, **PERIOD)
    assert [m["nis"] for m in data["municipalities"]] == [GENT]
    empty = await body(client, "province-token-0123456", nis="44083", **PERIOD)
    assert empty["municipalities"][0]["conversations"] == 0


@pytest.mark.parametrize("query", [
    {}, {"from": "2026-11-01"}, {"from": "2026-11-31", "to": "2026-12-01"},
    {"from": "1-11-2026", "to": "2026-12-01"}, {"from": "2026-12-01", "to": "2026-11-01"},
    {"from": "2024-01-01", "to": "2026-01-01"}, {**PERIOD, "nis": "4100"},
    {**PERIOD, "nis": "99999"}])
async def test_bad_queries_400(client, query):
    response = await get(client, "all-token-012345678901", **query)
    assert response.status == 400


async def test_dates_are_inclusive_local_days(client):
    day = await body(client, "aalst-token-0123456789", **{"from": "2026-12-01",
                                                          "to": "2026-12-01"})
    assert day["municipalities"][0]["conversations"] is None  # one conversation: suppressed
    october = await body(client, "all-token-012345678901", **{"from": "2026-10-31",
                                                              "to": "2026-10-31"})
    assert [m["nis"] for m in october["municipalities"]] == [AALST]
    nothing = await body(client, "all-token-012345678901", **{"from": "2025-01-01",
                                                              "to": "2025-01-31"})
    assert nothing["municipalities"] == []


def test_token_configuration_is_checked():
    assert parse_tokens("") == {}
    assert parse_tokens('{"abcdefghijklmnop": ["aalst", "*"]}') == {
        "abcdefghijklmnop": ("aalst", "*")}
    for bad in ("[]", "{", '{"short": ["aalst"]}', '{"abcdefghijklmnop": []}',
                '{"abcdefghijklmnop": "aalst"}'):
        with pytest.raises(InsightsConfigError):
            parse_tokens(bad)


def test_settings_from_the_environment():
    config = InsightsConfig.from_env({"INSIGHTS_MIN_COUNT": "3", "INSIGHTS_POLL_SECONDS": "9",
                                      "INSIGHTS_HASH_KEY": "k"})
    assert config.min_count == 3 and config.poll_seconds == 2.0 and config.hash_key == b"k"
    assert config.source == "sql" and config.db_url.startswith("sqlite:///")
    production = InsightsConfig.from_env({"PROFILE": "production", "POSTGRES_HOST": "db",
                                          "POSTGRES_DB": "olk", "POSTGRES_USER": "u"})
    assert production.source == "rabbitmq"
    assert production.db_url == "postgresql://u@db:5432/olk"
    assert InsightsConfig.from_env({}).hash_key != InsightsConfig.from_env({}).hash_key
