"""Knowledge answers as the owner sees them: sourced answer, local routing, contract."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import ActionAnswerTopic
from actions.municipality import ActionHandleMunicipality
from tests.actions.helpers import make_tracker, slot_events


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


async def test_local_question_with_municipality_gets_answer_source_and_counter():
    messages, events = await run(ActionAnswerTopic(), make_tracker(
        "mag ik een terras zetten voor mijn café in Aalst?", "ask_terrasvergunning"))
    answer = messages[0]
    assert answer["response"].startswith("utter_topic_answer")
    assert "https://" in answer["sources"]
    assert answer["custom"]["topic"] == "terrasvergunning"
    assert answer["custom"]["nis"] == "41002" and answer["custom"]["counter"]
    assert answer["custom"]["source"].startswith("https://")
    assert answer["custom"]["authority"]
    assert messages[1]["response"].startswith("utter_counter_info")
    assert messages[1]["counter_name"] and messages[1]["opening_line"]
    slots = slot_events(events)
    assert slots["municipality"] == "Aalst" and slots["topic"] == "terrasvergunning"
    assert any(b["payload"].startswith("/start_dossier") for b in answer["buttons"])
    assert answer["buttons"][-1]["payload"] == "/request_human"


async def test_local_question_without_municipality_asks_for_it():
    messages, events = await run(ActionAnswerTopic(), make_tracker(
        "hoe vraag ik een evenementenvergunning aan", "ask_evenementenvergunning"))
    assert messages[0]["custom"]["topic"] == "evenementenvergunning"
    assert "counter" not in messages[0]["custom"]
    assert messages[-1]["response"] == "utter_topic_needs_municipality"
    assert slot_events(events)["pending_topic"] == "evenementenvergunning"


async def test_regional_subsidy_goes_to_the_agency_without_asking_the_municipality():
    messages, _events = await run(ActionAnswerTopic(), make_tracker(
        "hoe werkt de kmo-portefeuille", "ask_kmo_portefeuille"))
    assert messages[0]["custom"]["counter"]
    assert all(m.get("response") != "utter_topic_needs_municipality" for m in messages)


async def test_municipality_after_pending_question_answers_for_that_municipality():
    tracker = make_tracker("Sint-Niklaas", "inform_municipality",
                           slots={"pending_topic": "evenementenvergunning"})
    messages, events = await run(ActionHandleMunicipality(), tracker)
    assert messages[0]["custom"]["topic"] == "evenementenvergunning"
    assert messages[0]["custom"]["municipality"] == "Sint-Niklaas"
    assert slot_events(events)["pending_topic"] is None


async def test_deelgemeente_is_named_with_its_municipality():
    messages, events = await run(ActionHandleMunicipality(),
                                 make_tracker("Ledeberg", "inform_municipality"))
    assert messages[0]["response"] == "utter_municipality_set_place"
    assert messages[0]["municipality"] == "Gent"
    assert slot_events(events)["nis"] == "44021"


async def test_outside_flanders_is_told_where_to_go_and_nothing_is_assumed():
    messages, events = await run(ActionHandleMunicipality(),
                                 make_tracker("mijn zaak is in Brussel", "inform_municipality"))
    assert messages[0]["response"] == "utter_municipality_outside_flanders"
    assert "nis" not in slot_events(events)


async def test_ambiguous_place_offers_the_candidates():
    tracker = make_tracker("Berchem", "inform_municipality")
    messages, _ = await run(ActionHandleMunicipality(), tracker)
    assert messages[0]["response"] == "utter_municipality_ambiguous"
    titles = {b["title"] for b in messages[0]["buttons"]}
    assert {"Antwerpen", "Kluisbergen"} <= titles


async def test_correction_after_local_answer_routes_to_the_new_counter():
    tracker = make_tracker("nee, in Aalst", "inform_municipality",
                           slots={"topic": "terrasvergunning", "municipality": "Gent",
                                  "nis": "44021", "counter": "gent"})
    messages, events = await run(ActionHandleMunicipality(), tracker)
    slots = slot_events(events)
    assert slots["nis"] == "41002"
    assert slots["counter"] != "gent"
    assert messages[-1]["custom"]["topic"] == "terrasvergunning"


async def test_topic_with_an_ambiguous_place_asks_once_then_answers_the_choice():
    messages, events = await run(ActionAnswerTopic(), make_tracker(
        "ik wil een terras zetten in Meldert", "ask_terrasvergunning"))
    assert [m["response"] for m in messages] == ["utter_municipality_ambiguous"]
    assert len(messages[0]["buttons"]) >= 2
    slots = slot_events(events)
    assert slots["pending_topic"] == "terrasvergunning"
    choice = messages[0]["buttons"][0]["payload"]
    nis = choice.split('"nis":"')[1].split('"')[0]
    messages, events = await run(ActionHandleMunicipality(), make_tracker(
        choice, "inform_municipality", slots={"pending_topic": "terrasvergunning"},
        entities=[{"entity": "nis", "value": nis}]))
    responses = [m["response"] for m in messages]
    assert responses[0] in ("utter_topic_answer", "utter_topic_answer_example")
    assert "utter_topic_needs_municipality" not in responses
    assert messages[0]["custom"]["nis"] == nis


async def test_topic_and_place_in_one_message_answer_the_topic_for_that_place():
    text = "ik heb een frituur in Gent en wil een terras van 20 m2 op het Sint-Pietersplein"
    ranking = [{"name": "inform_municipality", "confidence": 0.71},
               {"name": "ask_terrasvergunning", "confidence": 0.12},
               {"name": "ask_horeca_uitbating", "confidence": 0.08}]
    messages, events = await run(ActionHandleMunicipality(), make_tracker(
        text, "inform_municipality", ranking=ranking))
    assert messages[0]["response"] in ("utter_topic_answer", "utter_topic_answer_example")
    assert messages[0]["custom"]["topic"] == "terrasvergunning"
    assert messages[0]["custom"]["municipality"] == "Gent"
    assert slot_events(events)["topic"] == "terrasvergunning"


async def test_a_place_with_words_the_classifier_does_not_back_is_only_the_place():
    # "restaurant" is a horeca word, but the classifier never thought of horeca: no guess.
    ranking = [{"name": "inform_municipality", "confidence": 0.9},
               {"name": "out_of_scope", "confidence": 0.05}]
    messages, _ = await run(ActionHandleMunicipality(), make_tracker(
        "welk restaurant in Gent is goed?", "inform_municipality", ranking=ranking))
    assert messages[0]["response"] == "utter_municipality_set"


async def test_a_place_given_instead_of_a_choice_keeps_the_question_open():
    question = "welke subsidies zijn er voor een kmo die wil digitaliseren"
    unclear = {"event": "user", "text": question,
               "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.4},
                              "intent_ranking": [
                                  {"name": "nlu_fallback", "confidence": 0.45},
                                  {"name": "ask_kmo_portefeuille", "confidence": 0.3},
                                  {"name": "ask_innovatiesteun", "confidence": 0.2}]}}
    messages, _ = await run(ActionHandleMunicipality(), make_tracker(
        "ik zit in Lokeren", "inform_municipality", events=[unclear]))
    responses = [m["response"] for m in messages]
    assert responses == ["utter_municipality_set", "utter_clarify_again"]
    payloads = [b["payload"] for b in messages[1]["buttons"]]
    assert payloads == ["/ask_kmo_portefeuille", "/ask_innovatiesteun"]


TERRAS_IN_AALST = {"topic": "terrasvergunning", "municipality": "Aalst", "nis": "41002",
                   "counter": "aalst"}


async def test_a_pointing_follow_up_stays_on_the_current_topic():
    # The classifier heard a sign board; the owner asked how long the terrace takes.
    messages, _ = await run(ActionAnswerTopic(), make_tracker(
        "en hoe lang duurt het?", "ask_reclame_uithangbord", slots=TERRAS_IN_AALST))
    assert [m["response"] for m in messages] == ["utter_followup_duration"]
    assert messages[0]["custom"]["topic"] == "terrasvergunning"


async def test_a_question_that_names_another_topic_is_answered_as_that_topic():
    messages, _ = await run(ActionAnswerTopic(), make_tracker(
        "en wat kost dat voor een uithangbord?", "ask_reclame_uithangbord",
        slots=TERRAS_IN_AALST))
    assert messages[0]["custom"]["topic"] == "reclame_uithangbord"


async def test_the_contact_card_comes_once_per_counter_not_after_every_answer():
    messages, _ = await run(ActionAnswerTopic(), make_tracker(
        "mag ik een uithangbord ophangen?", "ask_reclame_uithangbord", slots=TERRAS_IN_AALST))
    responses = [m["response"] for m in messages]
    assert responses[0].startswith("utter_topic_answer")
    assert not any(r.startswith("utter_counter_info") for r in responses)
    first, _ = await run(ActionAnswerTopic(), make_tracker(
        "mag ik een uithangbord ophangen in Aalst?", "ask_reclame_uithangbord"))
    assert any(m["response"].startswith("utter_counter_info") for m in first)
