"""The widget tells the municipality of the page it is on: the owner is not asked again."""

from __future__ import annotations

from actions.location import locate
from tests.actions.helpers import make_tracker

QUESTION = "Heb ik een vergunning nodig voor een terras?"


def test_municipality_name_from_the_page_is_used_when_the_conversation_has_none() -> None:
    location = locate(make_tracker(QUESTION, "ask_terrasvergunning",
                                   metadata={"tenant": "oost-vlaanderen", "municipality": "Aalst"}))
    assert (location.status, location.name, location.nis) == ("found", "Aalst", "41002")
    assert location.source == "metadata"


def test_nis_from_the_page_wins_over_its_name() -> None:
    location = locate(make_tracker(QUESTION, "ask_terrasvergunning",
                                   metadata={"municipality": "Aalst", "nis": "44021"}))
    assert location.name == "Gent"


def test_the_page_does_not_override_a_municipality_the_owner_gave() -> None:
    tracker = make_tracker(QUESTION, "ask_terrasvergunning",
                           slots={"municipality": "Gent", "nis": "44021"},
                           metadata={"municipality": "Aalst"})
    assert locate(tracker).name == "Gent"


def test_unknown_or_foreign_page_municipalities_are_ignored() -> None:
    for name in ("Atlantis", "Brussel", "x" * 200):
        location = locate(make_tracker(QUESTION, "ask_terrasvergunning",
                                       metadata={"municipality": name}))
        assert location.municipality is None, name
