"""valid_from / valid_until: an expired answer stops being said, a future one is not said yet."""

from __future__ import annotations

from datetime import date

from bot.catalog import topic_from_dict, valid_on

OLD = ("Tot eind januari 2026 kon je met de kmo-portefeuille steun krijgen voor advies over "
       "allerlei onderwerpen, bij een geregistreerde dienstverlener.")
NEW = ("Sinds 1 februari 2026 krijg je met de kmo-portefeuille alleen nog steun voor advies over "
       "cybersecurity; voor opleidingen verandert er niets.")
LATER = ("Vanaf 1 januari 2027 geldt een nieuwe regeling; lees de voorwaarden bij VLAIO en vraag "
         "raad aan je ondernemersloket.")


def topic(**changes):
    data = {
        "id": "kmo_portefeuille", "title": "Kmo-portefeuille", "category": "subsidie",
        "product_type": "Financieel voordeel",
        "competent_authority": {"level": "vlaams", "name": "VLAIO"}, "local": False,
        "answer": OLD, "valid_until": "2026-01-31",
        "answer_versions": [
            {"answer": NEW, "valid_from": "2026-02-01",
             "sources": [{"title": "VLAIO – Hervorming", "url": "https://www.vlaio.be/nl/nieuws/x",
                          "checked_on": "2026-12-01"}]},
        ],
        "sources": [{"title": "VLAIO – Kmo-portefeuille", "url": "https://www.vlaio.be/nl/kmo",
                     "checked_on": None}],
        "last_reviewed": None, "reviewed_by": None,
    }
    data.update(changes)
    return topic_from_dict(data)


def test_bounds_are_inclusive_and_open_ended():
    assert valid_on(date(2026, 2, 1), "2026-02-01", "2026-02-01")
    assert not valid_on(date(2026, 1, 31), "2026-02-01", None)
    assert not valid_on(date(2026, 2, 2), None, "2026-02-01")
    assert valid_on(date(1999, 1, 1), None, None)


def test_expired_answer_stops_and_its_successor_starts_on_its_date():
    t = topic()
    before = t.answer_for(None, date(2026, 1, 31))
    after = t.answer_for(None, date(2026, 2, 1))
    assert before is not None and before.text == OLD
    assert after is not None and after.text == NEW
    assert after.sources[0].url == "https://www.vlaio.be/nl/nieuws/x"  # the version's own source


def test_future_answer_is_not_said_yet_and_wins_from_its_start():
    t = topic(answer_versions=[{"answer": NEW, "valid_from": "2026-02-01"},
                               {"answer": LATER, "valid_from": "2027-01-01"}])
    assert t.answer_for(None, date(2026, 12, 1)).text == NEW
    assert t.answer_for(None, date(2027, 1, 1)).text == LATER


def test_no_valid_answer_means_nothing_is_said():
    t = topic(answer_versions=[])
    assert t.answer_for(None, date(2026, 6, 1)) is None
    assert t.answer_for("41002", date(2026, 6, 1)) is None


def test_expired_local_override_falls_back_to_the_general_answer():
    override = {"mode": "extend", "example": True, "answer": "(Voorbeeldinhoud) In Aalst ...",
                "valid_until": "2026-06-30"}
    t = topic(answer=NEW, valid_until=None, answer_versions=[],
              municipality_overrides={"41002": override})
    assert t.answer_for("41002", date(2026, 6, 30)).localized
    later = t.answer_for("41002", date(2026, 7, 1))
    assert not later.localized and later.text == NEW


def test_default_date_is_today():
    assert topic(answer=NEW, valid_until=None, answer_versions=[]).answer_for(None) is not None


def test_an_expired_answer_is_not_sent_but_the_counter_is():
    from rasa_sdk.executor import CollectingDispatcher

    from actions.knowledge import answer_topic
    from actions.location import locate
    from tests.actions.helpers import make_tracker

    expired = topic(answer_versions=[])  # the only answer ended on 2026-01-31
    tracker = make_tracker("hoe werkt de kmo-portefeuille", "ask_kmo_portefeuille",
                           slots={"counter": "vlaio"})
    dispatcher = CollectingDispatcher()
    answer_topic(dispatcher, tracker, expired, locate(tracker))
    responses = [m.get("response") for m in dispatcher.messages]
    assert not any(r and r.startswith("utter_topic_answer") for r in responses)
    assert any(r and r.startswith("utter_counter_info") for r in responses)
