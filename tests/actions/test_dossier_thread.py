"""The thread into a dossier form as the owner notices it: what the question before said is
filled in, said once at the start, not asked again and shown in the summary; "terug" goes back
one question with the answer given there."""

from __future__ import annotations

from typing import Any

from actions.dossier_confirm import ActionAskDossierConfirmed
from actions.dossier_forms import ValidateTerrasvergunningForm
from actions.dossier_start import ActionStartDossier
from tests.actions.helpers import make_tracker, slot_events
from tests.actions.test_dossier_forms import (
    GENT,
    form_tracker,
    responses,
    run,
    terras_answers,
)

FRITUUR = "ik heb een frituur in Gent en wil een terras van 20 m2 op het Sint-Pietersplein"
BUTTON = '/start_dossier{"dossier_type":"terrasvergunning"}'


def question_before(text: str, intent: str) -> list[dict[str, Any]]:
    return [{"event": "user", "text": text,
             "parse_data": {"intent": {"name": intent, "confidence": 0.62}}},
            {"event": "action", "name": "action_answer_topic"}]


async def start_after_frituur() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    tracker = make_tracker(BUTTON, "start_dossier",
                           slots={"topic": "terrasvergunning", "nis": GENT, "municipality": "Gent"},
                           events=question_before(FRITUUR, "inform_municipality"),
                           entities=[{"entity": "dossier_type", "value": "terrasvergunning"}])
    messages, events = await run(ActionStartDossier(), tracker)
    return messages, slot_events(events)


async def test_the_frituur_terrace_details_are_filled_in_and_said_once():
    messages, slots = await start_after_frituur()
    assert slots["dossier_nis"] == GENT and slots["dossier_surface"] == 20.0
    assert "Sint-Pietersplein" in slots["dossier_description"]
    assert responses(messages) == ["utter_dossier_start_carried"]
    carried = messages[0]["carried"]
    assert "Gemeente: Gent" in carried and "Oppervlakte: 20 m²" in carried
    assert "frituur" in carried


async def test_the_form_skips_what_was_carried_and_the_summary_confirms_it():
    _, slots = await start_after_frituur()
    activation = form_tracker(BUTTON, "start_dossier", requested=None, slots=slots,
                              active=False, after=["action_start_dossier"])
    _, events = await run(ValidateTerrasvergunningForm(), activation)
    assert slot_events(events)["requested_slot"] == "dossier_business_name"
    # The owner answers the rest; the size question never comes.
    values = terras_answers(dossier_surface=slots["dossier_surface"],
                            dossier_description=slots["dossier_description"])
    messages, _ = await run(ActionAskDossierConfirmed(),
                            make_tracker("0470 12 34 56", "inform", slots=values))
    summary = messages[0]["summary"]
    assert "• Oppervlakte: 20 m²" in summary and "Sint-Pietersplein" in summary


async def test_what_was_said_about_another_request_is_not_carried():
    events = [*question_before("ik wil een container van 30 m2 in de Kerkstraat 5",
                               "ask_inname_openbaar_domein"),
              {"event": "user", "text": "en een terras?",
               "parse_data": {"intent": {"name": "ask_terrasvergunning", "confidence": 0.9}}}]
    tracker = make_tracker(BUTTON, "start_dossier", events=events,
                           entities=[{"entity": "dossier_type", "value": "terrasvergunning"}])
    messages, events_out = await run(ActionStartDossier(), tracker)
    slots = slot_events(events_out)
    assert "dossier_surface" not in slots and "dossier_address" not in slots
    assert responses(messages) == ["utter_dossier_start"]


async def test_back_shows_the_previous_answer_and_asks_it_again():
    values = terras_answers(dossier_period=None, dossier_surface=None, dossier_description=None,
                            dossier_applicant_name=None, dossier_enterprise_number=None,
                            dossier_email=None, dossier_phone=None)
    tracker = form_tracker("vorige vraag", "inform", confidence=0.5, requested="dossier_period",
                           slots=values)
    messages, events = await run(ValidateTerrasvergunningForm(), tracker)
    slots = slot_events(events)
    assert slots["requested_slot"] == "dossier_address" and slots["dossier_address"] is None
    assert responses(messages) == ["utter_dossier_back"]
    assert messages[0]["label"] == "Adres" and messages[0]["value"] == "Kerkstraat 12, 9000 Gent"


async def test_back_shows_a_period_the_flemish_way():
    values = terras_answers(dossier_surface=None, dossier_description=None,
                            dossier_applicant_name=None, dossier_enterprise_number=None,
                            dossier_email=None, dossier_phone=None)
    tracker = form_tracker("terug", "inform", confidence=0.5, requested="dossier_surface",
                           slots=values)
    messages, _ = await run(ValidateTerrasvergunningForm(), tracker)
    assert messages[0]["value"] == "van 1 april 2027 tot en met 30 september 2027"
