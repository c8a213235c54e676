"""Clarification on low confidence, the offer of a person, and the action safety net."""

from __future__ import annotations

import asyncio
import dataclasses

from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.conversation import ActionHandleYesNo, ActionOutOfScope
from actions.fallback import ActionClarify
from actions.services import services
from actions.settings import ActionSettings
from tests.actions.helpers import make_tracker, slot_events

RANKING = [
    {"name": "nlu_fallback", "confidence": 0.45},
    {"name": "ask_terrasvergunning", "confidence": 0.31},
    {"name": "ask_inname_openbaar_domein", "confidence": 0.22},
    {"name": "out_of_scope", "confidence": 0.2},
    {"name": "request_human", "confidence": 0.1},
]
FALLBACK_EVENT = {"event": "user", "text": "iets",
                  "parse_data": {"intent": {"name": "nlu_fallback"}}}


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


async def test_first_failure_offers_the_likeliest_topics_as_buttons():
    messages, _ = await run(ActionClarify(), make_tracker(
        "stoelen buiten zetten", "nlu_fallback", ranking=RANKING))
    assert messages[0]["response"] == "utter_clarify"
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads[:2] == ["/ask_terrasvergunning", "/ask_inname_openbaar_domein"]
    assert "/out_of_scope" not in payloads and len(payloads) <= 3


async def test_second_failure_in_a_row_offers_a_person_and_yes_hands_over():
    tracker = make_tracker("blabla", "nlu_fallback", ranking=RANKING, events=[FALLBACK_EVENT])
    messages, events = await run(ActionClarify(), tracker)
    assert messages[0]["response"] == "utter_offer_human"
    assert slot_events(events)["pending_offer"] == "human"
    yes = make_tracker("ja", "affirm", slots={"pending_offer": "human", "nis": "41002",
                                              "municipality": "Aalst"})
    messages, events = await run(ActionHandleYesNo(), yes)
    followups = [e["name"] for e in events if e.get("event") == "followup"]
    assert followups == ["action_request_human"]


async def test_yes_without_an_offer_just_asks_what_is_needed():
    messages, _ = await run(ActionHandleYesNo(), make_tracker("ja", "affirm"))
    assert messages[0]["response"] == "utter_anything_else"


async def test_place_name_the_classifier_missed_is_taken_as_the_municipality():
    _messages, events = await run(ActionClarify(), make_tracker("Tiennen", "nlu_fallback",
                                                                ranking=RANKING))
    assert slot_events(events)["municipality"] == "Tienen"


async def test_out_of_scope_clears_the_topic():
    messages, events = await run(ActionOutOfScope(), make_tracker(
        "wie wint de match", "out_of_scope", slots={"topic": "terrasvergunning"}))
    assert "topic" not in messages[0]["custom"]
    assert slot_events(events)["topic"] is None


class Exploding(SafeAction):
    def name(self) -> str:
        return "action_exploding"

    async def perform(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text="half")
        raise RuntimeError("secret tracker contents")


class Hanging(SafeAction):
    deadline_seconds = 0.2

    def name(self) -> str:
        return "action_hanging"

    async def perform(self, dispatcher, tracker, domain):
        await asyncio.sleep(30)
        return []


async def test_failing_action_apologises_without_half_answers_or_details():
    messages, events = await run(Exploding(), make_tracker("x", "greet"))
    assert [m["response"] for m in messages] == ["utter_technical_problem"]
    assert events == []
    assert all("secret" not in str(m) for m in messages)


async def test_hanging_action_answers_within_its_deadline():
    started = asyncio.get_running_loop().time()
    messages, _ = await run(Hanging(), make_tracker("x", "greet"))
    assert asyncio.get_running_loop().time() - started < 2
    assert messages[0]["response"] == "utter_technical_problem"


class Slow(SafeAction):
    deadline_seconds = 0.2

    def name(self) -> str:
        return "action_slow"

    async def perform(self, dispatcher, tracker, domain):
        await asyncio.sleep(0.6)  # a busy machine, not a broken service
        dispatcher.utter_message(text="klaar")
        return []


async def test_a_longer_action_timeout_lets_a_slow_action_finish(use_services):
    messages, _ = await run(Slow(), make_tracker("x", "greet"))
    assert messages[0]["response"] == "utter_technical_problem"  # Rasa's default 6 s
    use_services(settings=dataclasses.replace(services().settings,
                                              action_timeout_seconds=7))
    messages, _ = await run(Slow(), make_tracker("x", "greet"))
    assert [m["text"] for m in messages] == ["klaar"]


def test_the_action_server_reads_rasas_action_timeout():
    assert ActionSettings.from_env({}).deadline_slack_seconds == 0
    assert ActionSettings.from_env({"ACTION_TIMEOUT_SECONDS": "15"}).deadline_slack_seconds == 9
    assert ActionSettings.from_env({"ACTION_TIMEOUT_SECONDS": "zes"}).action_timeout_seconds == 6


async def test_person_request_with_a_place_is_not_lost_when_confidence_is_low():
    ranking = [{"name": "nlu_fallback", "confidence": 0.45},
               {"name": "request_human", "confidence": 0.41},
               {"name": "inform_municipality", "confidence": 0.3}]
    tracker = make_tracker("Ik wil een ambtenaar spreken, mijn zaak is in Aalst", "nlu_fallback",
                           ranking=ranking)
    _messages, events = await run(ActionClarify(), tracker)
    assert slot_events(events)["nis"] == "41002"
    assert [e["name"] for e in events if e.get("event") == "followup"] == ["action_request_human"]


async def test_unsure_question_naming_a_town_never_gets_a_guessed_topic():
    ranking = [{"name": "nlu_fallback", "confidence": 0.45},
               {"name": "ask_openingsuren_rustdag", "confidence": 0.41},
               {"name": "out_of_scope", "confidence": 0.26}]
    tracker = make_tracker("wie wint er zondag de match van Club Brugge?", "nlu_fallback",
                           ranking=ranking)
    messages, _events = await run(ActionClarify(), tracker)
    assert all("topic" not in m.get("custom", {}) for m in messages)
