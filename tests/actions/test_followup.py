"""Follow-up questions stay on the current topic and never invent amounts or deadlines."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.followup import ActionAnswerFollowup
from tests.actions.helpers import make_tracker


async def ask(text, slots):
    dispatcher = CollectingDispatcher()
    await ActionAnswerFollowup().run(dispatcher, make_tracker(text, "ask_followup", slots=slots),
                                     {})
    return dispatcher.messages


async def test_cost_question_stays_on_topic_and_points_to_the_source_and_counter():
    messages = await ask("en wat kost dat?", {"topic": "terrasvergunning", "counter": "aalst",
                                             "municipality": "Aalst", "nis": "41002"})
    message = messages[0]
    assert message["response"] == "utter_followup_cost"
    assert message["custom"]["topic"] == "terrasvergunning"
    assert message["source"].startswith("https://")
    assert "Aalst" in message["counter_hint"]


async def test_where_question_lists_the_application_steps():
    messages = await ask("waar vraag ik dat aan?", {"topic": "terrasvergunning"})
    assert messages[0]["response"] == "utter_followup_where"
    assert messages[0]["steps"].count("\n") >= 1


async def test_documents_question_lists_what_to_prepare():
    messages = await ask("welke documenten heb ik nodig", {"topic": "evenementenvergunning"})
    assert messages[0]["response"] == "utter_followup_documents"


async def test_without_a_topic_the_owner_is_asked_what_it_is_about():
    messages = await ask("en wat kost dat?", {})
    assert messages[0]["response"] == "utter_followup_no_topic"


async def test_an_unsure_follow_up_after_an_answer_is_answered_not_clarified():
    from actions.fallback import ActionClarify

    dispatcher = CollectingDispatcher()
    tracker = make_tracker("en hoe lang duurt het voor ik die vergunning heb?", "nlu_fallback",
                           slots={"topic": "terrasvergunning"},
                           ranking=[{"name": "nlu_fallback", "confidence": 0.4},
                                    {"name": "ask_horeca_uitbating", "confidence": 0.21}])
    await ActionClarify().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_followup_duration"]
    assert dispatcher.messages[0]["custom"]["topic"] == "terrasvergunning"
