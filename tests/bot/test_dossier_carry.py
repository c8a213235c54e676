"""Keeping the thread into a dossier form (bot/dossiers/intake/carry.py) and going back one
question (bot/dossiers/intake/form_flow.py), on the real words of content/dossier_forms.yml."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.dossiers.intake.carry import Said, carried_values, details, thread
from bot.dossiers.intake.form_flow import Context, Message, answer
from bot.dossiers.intake.forms import CONFIRM, FormSpec
from bot.dossiers.intake.words import load_intake, wants_back

WORDS = load_intake()
TODAY = date(2026, 11, 23)
TERRAS = ("dossier_nis", "dossier_business_name", "dossier_address", "dossier_period",
          "dossier_surface", "dossier_description", "dossier_applicant_name",
          "dossier_enterprise_number", "dossier_email", "dossier_phone")
FRITUUR = "ik heb een frituur in Gent en wil een terras van 20 m2 op het Sint-Pietersplein"
PLACES = {"Gent", "Aalst", "Lokeren", "De Pinte"}


def is_place(name: str) -> bool:
    return name in PLACES


def test_the_terrace_question_fills_the_size_and_keeps_the_rest_in_the_owners_words():
    values = carried_values(thread([Said("ja, graag", "affirm", 0.9),
                                    Said(FRITUUR, "inform_municipality", 0.6)],
                                   {"terrasvergunning"}, WORDS), TERRAS, WORDS, TODAY, is_place)
    assert values["dossier_surface"] == 20.0
    # The terrace form asks no place and no kind of business: they reach the counter as said.
    assert "frituur" in values["dossier_description"]
    assert "Sint-Pietersplein" in values["dossier_description"]
    assert "dossier_address" not in values and "dossier_business_name" not in values


def test_a_place_a_period_and_products_fill_the_stall_form():
    fields = ("dossier_nis", "dossier_products", "dossier_location", "dossier_period",
              "dossier_description")
    text = "we willen wafels en pannenkoeken verkopen op de vrijdagmarkt van 1 tot 3 mei"
    values = carried_values([text], fields, WORDS, TODAY, is_place)
    assert values["dossier_products"] == "wafels en pannenkoeken"
    assert values["dossier_location"] == "de vrijdagmarkt"
    assert values["dossier_period"] == {"start": "2027-05-01", "end": "2027-05-03"}
    assert "dossier_description" not in values  # nothing was left over


@pytest.mark.parametrize(("text", "slot", "value"), [
    ("ik wil een container zetten voor de Kerkstraat 12", "dossier_purpose", "een container"),
    ("ik neem café De Hoek over vanaf 1 maart", "dossier_takeover", "café De Hoek"),
    ("ik open een café 'De Zwaan' op 1 maart in Aalst", "dossier_business_name", "De Zwaan"),
    ("mijn zaak heet Frituur Paul", "dossier_business_name", "Frituur Paul"),
    ("ik open een café 'De Zwaan' op 1 maart in Aalst", "dossier_opening_date", "2027-03-01"),
    ("een fuif 'Summer Vibes' met 300 bezoekers", "dossier_event_name", "Summer Vibes"),
    ("een fuif 'Summer Vibes' met 300 bezoekers", "dossier_expected_visitors", 300),
])
def test_details_are_read_from_how_owners_write(text, slot, value):
    assert details(text, WORDS, TODAY, is_place)[slot] == value


def test_a_municipality_is_never_taken_for_the_name_of_the_business():
    assert "dossier_business_name" not in details("een frituur De Pinte", WORDS, TODAY, is_place)
    assert "dossier_business_name" not in details("een frituur in Gent", WORDS, TODAY, is_place)


def test_the_thread_ends_at_a_message_about_another_request():
    messages = [Said("/start_dossier", "start_dossier", 1.0),
                Said("terras van 12 m2", "ask_terrasvergunning", 0.9),
                Said("ik wil een container van 30 m2", "ask_inname_openbaar_domein", 0.9)]
    texts = thread(messages, {"terrasvergunning"}, WORDS)
    assert texts == ["terras van 12 m2"]
    assert carried_values(texts, TERRAS, WORDS, TODAY)["dossier_surface"] == 12.0


def test_a_confident_question_about_another_topic_ends_the_thread():
    messages = [Said("ik wil een terras", "start_dossier", 0.9),
                Said("hoe vraag ik een btw-nummer aan voor 3 mei", "ask_btw_registratie", 0.95),
                Said("ik zit in Gent", "inform_municipality", 0.9)]
    assert thread(messages, {"terrasvergunning"}, WORDS) == ["ik wil een terras"]


def test_the_newest_message_wins():
    texts = ["het wordt toch 25 m2", "een terras van 20 m2"]
    assert carried_values(texts, TERRAS, WORDS, TODAY)["dossier_surface"] == 25.0


# --- "terug" ----------------------------------------------------------------------------------

SPEC = FormSpec("terrasvergunning_form", "terrasvergunning", (*TERRAS, CONFIRM),
                frozenset({"dossier_description", "dossier_phone"}))


def context(values: dict[str, Any]) -> Context:
    return Context(SPEC, values, WORDS, TODAY, lambda: ("none", None),
                   lambda slot, value: f"<{value}>")


@pytest.mark.parametrize("text", ["terug", "Vorige vraag", "nee wacht, dat was fout",
                                  "oeps, dat is verkeerd", "ga terug naar de vorige vraag"])
def test_back_is_understood_in_words(text):
    assert wants_back(text, WORDS)


@pytest.mark.parametrize("text", ["Kerkstraat 12", "terugbellen graag", "wacht even",
                                  "de vorige uitbater"])
def test_an_answer_is_not_taken_for_back(text):
    assert not wants_back(text, WORDS)


def test_back_reopens_the_previous_question_and_shows_its_answer():
    values = {"dossier_nis": "44021", "dossier_business_name": "Café De Hoek",
              "dossier_address": "Kerkstraat 12"}
    step = answer(context(values), "dossier_period", Message("nee wacht, dat was fout", "inform",
                                                               0.6))
    assert step.requested == "dossier_address" and step.slots["dossier_address"] is None
    assert step.replies == [("utter_dossier_back", {"label": "Adres", "value": "<Kerkstraat 12>"})]
    assert not step.stop and not step.reject


def test_back_from_the_summary_reopens_the_last_question_even_a_skipped_one():
    values = {slot: "x" for slot in TERRAS} | {"dossier_phone": ""}
    step = answer(context(values), CONFIRM, Message("terug"))
    assert step.requested == "dossier_phone"
    assert step.replies[0][1]["label"] == "Telefoon"


def test_back_at_the_first_question_says_so_and_asks_it_again():
    step = answer(context({}), "dossier_nis", Message("terug"))
    assert step.requested == "dossier_nis" and step.replies == [("utter_dossier_back_first", {})]


@pytest.mark.parametrize("text", ["stop", "annuleren", "Annuleer de aanvraag", "ik wil stoppen"])
def test_stop_and_cancel_end_the_form(text):
    values = {"dossier_nis": "44021"}
    assert answer(context(values), "dossier_business_name", Message(text, "inform", 0.5)).stop
