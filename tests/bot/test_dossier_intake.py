"""Reading dossier requests from free text (bot/dossiers/intake/words.py) and the summary."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from bot.dossiers.intake.form_flow import Message, steps_aside
from bot.dossiers.intake.forms import FormSpec, build_submission
from bot.dossiers.intake.summary import format_value
from bot.dossiers.intake.words import (
    detect_request,
    find_reference,
    load_intake,
    mentioned_field,
    parse_count,
    parse_intake,
    phrase_is,
    prefill_values,
)
from bot.validators import Invalid, Valid
from tests.conftest import ROOT

WORDS = load_intake()
TODAY = date(2026, 11, 23)
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december"]


@pytest.mark.parametrize(("text", "expected"), [
    ("ik wil een standplaats op de vrijdagmarkt van Lokeren aanvragen", "ambulante_handel"),
    ("een terras voor mijn café", "terrasvergunning"),  # the permit wins over the venue
    ("ik wil een café openen", "horeca_uitbating"),
    ("een container voor mijn winkel", "inname_openbaar_domein"),
    ("lichtreclame boven de deur", "reclame_uithangbord"),
    ("we organiseren een fuif", "evenementenvergunning"),
    ("ik wil een omgevingsvergunning aanvragen", "omgevingsvergunning"),
    ("kmo-portefeuille aanvragen", "kmo_portefeuille"),
    ("kan het loket me terugbellen", "algemene_vraag"),
    ("dossier starten", None),
])
def test_the_request_is_recognised_from_its_words(text, expected):
    assert detect_request(text, WORDS) == expected


def test_values_in_a_start_message_are_read():
    found = prefill_values("terras van 1 april tot 30 september, 20 m2, Kerkstraat 12, 9000 Gent,"
                           " mail lotte@voorbeeld.be of 0470 12 34 56", WORDS, TODAY)
    assert found["dossier_period"] == {"start": "2027-04-01", "end": "2027-09-30"}
    assert found["dossier_surface"] == 20.0
    assert found["dossier_address"] == "Kerkstraat 12, 9000 Gent"
    assert found["dossier_email"] == "lotte@voorbeeld.be"
    assert found["dossier_phone"] == "+32470123456"


def test_only_valid_values_are_read():
    found = prefill_values("mijn nummer is 0123.456.788 en mijn mail is lotte@", WORDS, TODAY)
    assert "dossier_enterprise_number" not in found and "dossier_email" not in found


def test_references_are_found_in_any_spelling():
    assert find_reference("status van ovl-2026-k7m4qx aub") == "OVL-2026-K7M4QX"
    assert find_reference("OVL - 2026 - K7M4QX") == "OVL-2026-K7M4QX"
    assert find_reference("OVL-2026-K7M4Q0") is None  # 0 is not in the alphabet


def test_fields_are_named_by_their_dutch_words():
    fields = list(WORDS.fields)
    assert mentioned_field("mijn ondernemingsnummer is fout", WORDS, fields) == \
        "dossier_enterprise_number"
    assert mentioned_field("het telefoonnummer klopt niet", WORDS, fields) == "dossier_phone"
    assert mentioned_field("Kerkstraat 14", WORDS, fields) is None


def test_counts():
    assert parse_count("ongeveer 1.500 bezoekers") == Valid(1500)
    assert parse_count("veel") == Invalid("count_format")
    assert parse_count("0") == Invalid("count_not_positive")


def test_a_question_steps_aside_but_a_plain_answer_does_not():
    question = Message("mag ik muziek spelen op mijn terras?", "ask_muziek_geluid", 0.7)
    answer = Message("Frituur Bij Jos", "ask_horeca_uitbating", 0.7)
    person = Message("ik wil iemand van het loket spreken", "request_human", 0.95)
    assert steps_aside(question, WORDS) and steps_aside(person, WORDS)
    assert not steps_aside(answer, WORDS)


def test_summary_values_are_written_the_flemish_way():
    def name(nis: str) -> str:
        return "Gent"

    period = {"start": "2027-04-01", "end": "2027-09-30"}
    assert format_value("dossier_period", period, WORDS, MONTHS, name) == \
        "van 1 april 2027 tot en met 30 september 2027"
    assert format_value("dossier_surface", 12.5, WORDS, MONTHS, name) == "12,5 m²"
    assert format_value("dossier_surface", 20.0, WORDS, MONTHS, name) == "20 m²"
    assert format_value("dossier_nis", "44021", WORDS, MONTHS, name) == "Gent"
    assert format_value("dossier_phone", "", WORDS, MONTHS, name) == "(niet ingevuld)"
    assert format_value("dossier_phone", "+32470123456", WORDS, MONTHS, name) == "0470 12 34 56"
    assert format_value("dossier_phone", "+3291234567", WORDS, MONTHS, name) == "091234567"


def test_submission_puts_applicant_data_apart_and_leaves_skipped_answers_out():
    spec = FormSpec("terrasvergunning_form", "terrasvergunning",
                    ("dossier_nis", "dossier_business_name", "dossier_description",
                     "dossier_applicant_name", "dossier_email", "dossier_phone",
                     "dossier_confirmed"), frozenset({"dossier_description", "dossier_phone"}))
    values = {"dossier_nis": "44021", "dossier_business_name": "Café De Hoek",
              "dossier_description": "", "dossier_applicant_name": "Lotte Verbeke",
              "dossier_email": "lotte@voorbeeld.be", "dossier_phone": "",
              "dossier_confirmed": True}
    body = build_submission(spec, values, tenant="oost-vlaanderen", counter="gent",
                            municipality=("44021", "Gent"), conversation_id="c1")
    assert body["applicant"] == {"name": "Lotte Verbeke", "email": "lotte@voorbeeld.be"}
    assert body["fields"] == {"business_name": "Café De Hoek"}
    assert body["municipality"] == {"nis": "44021", "name": "Gent"}


def test_yes_and_no_phrases_are_read_even_when_yaml_makes_them_booleans():
    words = parse_intake({"phrases": {True: ["ja", "Ja hoor"], False: ["nee"]}})
    assert phrase_is("ja hoor!", "yes", words) and phrase_is("Nee", "no", words)
    real = parse_intake(yaml.safe_load((ROOT / "content" / "dossier_forms.yml").read_text("utf-8")))
    assert phrase_is("ja", "yes", real) and phrase_is("neen", "no", real)
