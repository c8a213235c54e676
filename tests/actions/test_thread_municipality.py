"""The municipality given right after an answer continues that question (issue 16: "welke
subsidies zijn er voor een kmo die wil digitaliseren" → "ik zit in Lokeren" must not end with
"Waarmee kan ik je nog helpen?")."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.municipality import ActionHandleMunicipality
from tests.actions.helpers import make_tracker, slot_events

QUESTION = "welke subsidies zijn er voor een kmo die wil digitaliseren"


def after(action: str) -> list[dict[str, Any]]:
    return [{"event": "user", "text": QUESTION,
             "parse_data": {"intent": {"name": "ask_kmo_groeisubsidie", "confidence": 0.9}}},
            {"event": "action", "name": action},
            {"event": "bot", "text": "…"},
            {"event": "action", "name": "action_listen"}]


async def run(events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    tracker = make_tracker("ik zit in Lokeren", "inform_municipality", events=events,
                           slots={"topic": "kmo_groeisubsidie", "counter": "vlaio"})
    dispatcher = CollectingDispatcher()
    result = await ActionHandleMunicipality().run(dispatcher, tracker, {})
    return dispatcher.messages, slot_events(result)


async def test_the_place_after_a_flemish_answer_brings_the_municipalitys_counter():
    messages, slots = await run(after("action_answer_topic"))
    names = [m.get("response") for m in messages]
    assert "utter_anything_else" not in names
    assert names[0] == "utter_municipality_set"
    card = messages[-1]
    assert card["response"].startswith("utter_counter_info")
    assert card["counter_name"] == "Ondernemersloket Lokeren"
    assert card["custom"]["topic"] == "kmo_groeisubsidie"
    assert card["custom"]["municipality"] == "Lokeren"
    assert slots["counter"] == "lokeren"


async def test_a_place_long_after_the_answer_only_notes_the_place():
    messages, _ = await run([*after("action_answer_topic"),
                             {"event": "user", "text": "bedankt"},
                             {"event": "action", "name": "utter_thank"},
                             {"event": "action", "name": "action_listen"}])
    assert [m.get("response") for m in messages] == ["utter_municipality_set",
                                                     "utter_anything_else"]
