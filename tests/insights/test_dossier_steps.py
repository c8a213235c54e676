"""From recorded Rasa events: the step a dossier form was at after each turn (where owners
stop) and when an officer joined a handed-over conversation (waiting time)."""

from __future__ import annotations

from datetime import date, timedelta

from bot.insights import details
from bot.insights.summary import Filters, Period
from bot.insights.turns import local_day
from tests.insights.helpers import make_config, make_consumer, recorded_events, write_broker_rows


async def test_recorded_events_give_dossier_steps_and_the_officers_join(tmp_path):
    config = make_config(tmp_path)
    events = recorded_events()
    write_broker_rows(config.events_db, events)
    consumer = await make_consumer(config)
    await consumer.tick()
    async with consumer.db.transaction() as tx:
        steps = await tx.fetchall("SELECT dossier_type, step FROM insights_dossier_steps "
                                  "ORDER BY at")
        taken = await tx.fetchall("SELECT t.counter, k.at - t.at AS waited FROM "
                                  "insights_handoff_taken k JOIN insights_turns t "
                                  "ON t.handoff_ref = k.ref")
        day = date.fromisoformat(local_day(float(events[0]["timestamp"]), "Europe/Brussels"))
        period = Period(day, day + timedelta(days=1))
        dossiers = await details.dossiers(tx, period, None, Filters(), 1)
        handoffs = await details.handoffs(tx, period, None, Filters(), 1)
    await consumer.db.close()
    assert steps and steps[0] == {"dossier_type": "terrasvergunning",
                                  "step": "dossier_business_name"}
    assert all(s["dossier_type"] == "terrasvergunning" for s in steps)
    [join] = taken
    assert join["counter"] == "aalst" and 0 < join["waited"] < 3600
    [terras] = dossiers
    assert terras["abandoned"] == 1 and terras["stopped_at"] == {steps[-1]["step"]: 1}
    aalst = next(h for h in handoffs if h["counter"] == "aalst")
    assert aalst["median_wait_seconds"] == round(join["waited"])
