"""Comparison and good practice: per topic the share of conversations also handed over (or not
understood), per dossier type the share abandoned, beside the median of all municipalities,
flagged when notably higher, with the chosen municipality that does best."""

from __future__ import annotations

from datetime import date

from bot.insights import details, store
from bot.insights.db import open_database
from bot.insights.summary import Filters, Period
from bot.insights.turns import Turn

DAY = date(2026, 11, 3)
NAMES = {"41002": "Aalst", "44021": "Gent", "46029": "Lokeren"}.get
# Terrace conversations handed over: Aalst 2 of 2, Gent 0 of 2, Lokeren 1 of 2 (median 50 %).
# Terrace forms: Aalst 2 started, 0 submitted; Gent 2 started, 2 submitted.
PLAN = {"41002": (2, 2, 0), "44021": (2, 0, 2), "46029": (2, 1, None)}


async def make_db(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'insights.sqlite3'}")
    async with db.transaction() as tx:
        n = 0
        for nis, (conversations, handed, submitted) in PLAN.items():
            for i in range(conversations):
                n += 1
                started = "terrasvergunning" if submitted is not None else None
                await store.write_turn(tx, Turn(
                    key=f"t{n}", conversation=f"{nis}-{i}", at=float(n), day=DAY.isoformat(),
                    nis=nis, topic="terrasvergunning", dossier_started=started,
                    handoff="queued" if i < handed else None,
                    dossier_submitted=started if submitted and i < submitted else None))
    return db


async def compare(db, municipalities, min_count=2):
    async with db.transaction() as tx:
        return await details.comparison(tx, Period(DAY, DAY), municipalities, Filters(),
                                        min_count, NAMES)


async def test_a_municipality_beside_the_median(tmp_path):
    db = await make_db(tmp_path)
    [terras] = (await compare(db, ["41002"]))["topics"]
    assert terras["handoffs"] == {"rate": 100.0, "median": 50.0, "notable": True, "best": None}
    assert terras["fallbacks"] == {"rate": 0.0, "median": 0.0, "notable": False, "best": None}
    [form] = (await compare(db, ["41002"]))["dossiers"]
    assert form["abandoned"] == {"rate": 100.0, "median": 50.0, "notable": True, "best": None}
    await db.close()


async def test_the_province_sees_who_does_it_best(tmp_path):
    db = await make_db(tmp_path)
    result = await compare(db, None)
    [terras] = result["topics"]
    assert terras["conversations"] == 6
    assert terras["handoffs"] == {"rate": 50.0, "median": 50.0, "notable": False,
                                  "best": "Gent"}
    assert result["dossiers"][0]["abandoned"]["best"] == "Gent"
    await db.close()


async def test_too_few_conversations_give_no_rate(tmp_path):
    db = await make_db(tmp_path)
    [terras] = (await compare(db, ["41002"], min_count=3))["topics"]
    assert terras["conversations"] is None
    assert terras["handoffs"] == {"rate": None, "median": None, "notable": False, "best": None}
    await db.close()
