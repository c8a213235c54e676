"""Dossier forms as the owner experiences them: starting (button, direct request, link when the
application happens elsewhere), answers validated with a specific explanation, questions in
between, corrections, stopping, confirming, submitting (also while the dossier service is down:
kept, told honestly, delivered later exactly once) and following up on the status."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services as services_module
from actions.dossier_confirm import ActionAskDossierConfirmed, ActionAskDossierEditField
from actions.dossier_forms import (
    ValidateAmbulanteHandelForm,
    ValidateTerrasvergunningForm,
)
from actions.dossier_service import DossierBackend
from actions.dossier_start import ActionStartDossier
from actions.dossier_status import ActionDossierStatus, ValidateDossierStatusForm
from actions.dossier_submit import ActionFinishDossier
from bot.contract import is_contract, public
from bot.dossiers.client.api import DossierClient
from bot.dossiers.client.outbox import Outbox
from bot.dossiers.dossier_types import DossierType, load_dossier_types
from bot.dossiers.intake.form_flow import invalid_reply
from bot.dossiers.intake.forms import FORM_STATE_SLOTS, SKIPPED
from bot.dossiers.references import REFERENCE
from bot.dossiers.service.app import create_dossier_app
from bot.validators import (
    ERROR_CODES,
    Invalid,
    validate_email,
    validate_enterprise_number,
    validate_name,
    validate_phone,
    validate_surface,
)
from tests.actions.helpers import make_tracker, slot_events
from tests.bot.dossier_fixtures import (
    OFFICERS,
    SERVICE_TOKEN,
    enterprise_number,
    free_port,
    open_storage,
    serving,
)
from tests.conftest import ROOT

GENT, AALST, LOKEREN = "44021", "41002", "46029"
TERRAS_FORM = "terrasvergunning_form"
VALID_KBO = enterprise_number(4031707)


def load_domain() -> dict[str, Any]:
    domain: dict[str, Any] = {"forms": {}, "responses": {}, "slots": {}}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in domain:
            domain[key].update(data.get(key) or {})
    return domain


DOMAIN = load_domain()


def terras_answers(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "dossier_type": "terrasvergunning", "dossier_nis": GENT,
        "dossier_business_name": "Café De Hoek", "dossier_address": "Kerkstraat 12, 9000 Gent",
        "dossier_period": {"start": "2027-04-01", "end": "2027-09-30"}, "dossier_surface": 18.5,
        "dossier_description": "", "dossier_applicant_name": "Lotte Verbeke",
        "dossier_enterprise_number": VALID_KBO, "dossier_email": "lotte@voorbeeld.be",
        "dossier_phone": "+32470123456",
    }
    values.update(overrides)
    return values


def form_tracker(text: str, intent: str, *, form: str = TERRAS_FORM, requested: str | None,
                 slots: dict[str, Any] | None = None, confidence: float = 0.95,
                 entities: list[dict[str, Any]] | None = None, active: bool = True,
                 after: list[str] = ()) -> Tracker:
    """The tracker a validation action gets, as Rasa builds it: the owner's message, other
    actions that ran after it, the form's activation (`active=False`: Rasa marks the loop
    active before it validates), then the form itself."""
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence},
              "entities": entities or [], "intent_ranking": [], "metadata": {}}
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": latest},
        *({"event": "action", "name": name} for name in after),
        *([] if active else [{"event": "active_loop", "name": form}]),
        {"event": "slot", "name": "requested_slot", "value": requested},
        {"event": "action", "name": form},
    ]
    all_slots = {**(slots or {}), "requested_slot": requested}
    return Tracker(sender_id="owner-1", slots=all_slots, latest_message=latest, events=events,
                   paused=False, followup_action=None, active_loop={"name": form},
                   latest_action_name=form)


async def run(action: Any, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages, events


def form_accepts(events: list[dict[str, Any]]) -> bool:
    """Rasa rejects the form for a message when validation sets no slot but requested_slot."""
    return any(e.get("event") == "slot" and e["name"] != "requested_slot" for e in events)


def responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("response") for m in messages]


# --- starting ---------------------------------------------------------------------------------

async def test_answer_button_starts_the_form_for_the_municipality_already_known():
    tracker = make_tracker('/start_dossier{"dossier_type":"terrasvergunning"}', "start_dossier",
                           slots={"topic": "terrasvergunning", "nis": AALST,
                                  "municipality": "Aalst"},
                           entities=[{"entity": "dossier_type", "value": "terrasvergunning"}])
    messages, events = await run(ActionStartDossier(), tracker)
    # One reply, which says the municipality is already filled in (it is not asked again).
    assert responses(messages) == ["utter_dossier_start_carried"]
    assert messages[0]["type_title"] == "een terrasvergunning"
    assert messages[0]["carried"] == "• Gemeente: Aalst"
    slots = slot_events(events)
    assert slots["dossier_type"] == "terrasvergunning" and slots["dossier_nis"] == AALST


async def test_direct_request_uses_what_the_message_says_and_does_not_ask_it_again():
    text = "ik wil een standplaats op de vrijdagmarkt van Lokeren aanvragen"
    _, events = await run(ActionStartDossier(), make_tracker(text, "start_dossier"))
    slots = slot_events(events)
    assert slots["dossier_type"] == "ambulante_handel"
    assert slots["dossier_nis"] == LOKEREN
    assert slots["dossier_location"] == "de vrijdagmarkt van Lokeren"
    # The form starts with the first question the message did not answer: what is sold.
    activation = form_tracker(text, "start_dossier", form="ambulante_handel_form",
                              requested=None, slots=slots, active=False,
                              after=["action_start_dossier"])
    messages, events = await run(ValidateAmbulanteHandelForm(), activation)
    assert slot_events(events)["requested_slot"] == "dossier_products"
    assert messages == []


async def test_values_from_the_question_before_the_button_are_kept():
    question = "ik wil van 1 april tot 30 september een terras van 20 m2 in Aalst"
    earlier = [{"event": "user", "text": question,
                "parse_data": {"intent": {"name": "ask_terrasvergunning"}}}]
    tracker = make_tracker('/start_dossier{"dossier_type":"terrasvergunning"}', "start_dossier",
                           slots={"nis": AALST}, events=earlier,
                           entities=[{"entity": "dossier_type", "value": "terrasvergunning"}])
    _, events = await run(ActionStartDossier(), tracker)
    slots = slot_events(events)
    assert slots["dossier_surface"] == 20.0
    assert slots["dossier_period"]["start"].endswith("-04-01")
    assert slots["dossier_period"]["end"].endswith("-09-30")


async def test_application_that_happens_elsewhere_gets_the_official_link_and_no_form():
    tracker = make_tracker("kan ik dat via jou aanvragen", "start_dossier",
                           slots={"topic": "kmo_portefeuille"})
    messages, events = await run(ActionStartDossier(), tracker)
    assert responses(messages) == ["utter_dossier_external"]
    assert messages[0]["url"].startswith("https://www.vlaio.be/")
    assert messages[0]["buttons"][0]["payload"] == messages[0]["url"]
    assert slot_events(events)["dossier_type"] is None


async def test_omgevingsvergunning_goes_to_the_omgevingsloket():
    messages, events = await run(ActionStartDossier(), make_tracker(
        "ik wil een omgevingsvergunning aanvragen voor mijn winkel", "start_dossier"))
    assert responses(messages) == ["utter_dossier_external"]
    assert "omgevingsloket" in messages[0]["url"]
    assert slot_events(events)["dossier_type"] is None


async def test_without_any_hint_the_owner_chooses_the_request():
    messages, events = await run(ActionStartDossier(), make_tracker("dossier starten",
                                                                    "start_dossier"))
    assert responses(messages) == ["utter_dossier_choose_type"]
    assert slot_events(events)["dossier_type"] is None


# --- answering the questions ------------------------------------------------------------------

async def test_valid_answer_is_kept_and_the_next_question_follows():
    tracker = form_tracker("Café De Hoek", "inform", requested="dossier_business_name",
                           slots={"dossier_type": "terrasvergunning", "dossier_nis": GENT})
    messages, events = await run(ValidateTerrasvergunningForm(), tracker)
    slots = slot_events(events)
    assert messages == []
    assert slots["dossier_business_name"] == "Café De Hoek"
    assert slots["requested_slot"] == "dossier_address"


@pytest.mark.parametrize(("slot", "text", "code"), [
    ("dossier_email", "lotte@voorbeeld", "email_domain"),
    ("dossier_email", "lotte.voorbeeld.be", "email_format"),
    ("dossier_enterprise_number", "0123.456.788", "enterprise_number_checksum"),
    ("dossier_enterprise_number", "0123.456", "enterprise_number_length"),
    ("dossier_phone", "0470 12 34", "phone_length"),
    ("dossier_phone", "+31 6 12345678", "phone_not_belgian"),
    ("dossier_surface", "een beetje", "surface_format"),
    ("dossier_period", "van 1 maart 2025 tot 3 maart 2025", "date_in_past"),
    ("dossier_period", "van 30 september 2027 tot 1 april 2027", "period_end_before_start"),
    ("dossier_period", "31 april", "date_invalid"),
    ("dossier_nis", "Atlantis", "municipality_unknown"),
    ("dossier_applicant_name", "x", "name_too_short"),
])
async def test_invalid_answer_gets_a_specific_explanation_and_the_question_again(slot, text, code):
    values = terras_answers()
    values[slot] = None
    tracker = form_tracker(text, "inform", requested=slot, slots=values)
    messages, events = await run(ValidateTerrasvergunningForm(), tracker)
    assert responses(messages) == [f"utter_dossier_invalid_{code}"]
    assert f"utter_dossier_invalid_{code}" in DOMAIN["responses"]
    slots = slot_events(events)
    assert slots[slot] is None and slots["requested_slot"] == slot


async def test_optional_question_can_be_skipped_with_the_button():
    values = terras_answers(dossier_description=None, dossier_applicant_name=None)
    tracker = form_tracker("/deny", "deny", requested="dossier_description", slots=values)
    _, events = await run(ValidateTerrasvergunningForm(), tracker)
    slots = slot_events(events)
    assert slots["dossier_description"] == ""
    assert slots["requested_slot"] == "dossier_applicant_name"


async def test_required_question_cannot_be_skipped():
    values = terras_answers(dossier_business_name=None)
    tracker = form_tracker("/deny", "deny", requested="dossier_business_name", slots=values)
    messages, events = await run(ValidateTerrasvergunningForm(), tracker)
    assert responses(messages) == ["utter_dossier_value_missing"]
    assert slot_events(events)["requested_slot"] == "dossier_business_name"


async def test_question_in_between_is_left_to_rasa_and_the_form_asks_again_afterwards():
    values = terras_answers(dossier_business_name=None)
    question = form_tracker("mag ik muziek spelen op mijn terras?", "ask_muziek_geluid",
                            requested="dossier_business_name", slots=values, confidence=0.92)
    messages, events = await run(ValidateTerrasvergunningForm(), question)
    assert events == [] and messages == []  # no slot: Rasa rejects the form and answers
    back = form_tracker("mag ik muziek spelen op mijn terras?", "ask_muziek_geluid",
                        requested="dossier_business_name", slots=values,
                        after=["action_answer_topic"])
    messages, events = await run(ValidateTerrasvergunningForm(), back)
    assert messages == []
    assert slot_events(events)["requested_slot"] == "dossier_business_name"


async def test_a_question_the_classifier_is_unsure_about_is_not_taken_as_an_address():
    values = terras_answers(dossier_address=None)
    tracker = form_tracker("mag ik ook muziek spelen op het terras?", "nlu_fallback",
                           confidence=0.3, requested="dossier_address", slots=values)
    messages, events = await run(ValidateTerrasvergunningForm(), tracker)
    assert events == [] and messages == []


async def test_the_general_question_itself_may_be_a_question():
    from actions.dossier_forms import ValidateAlgemeneVraagForm

    values = {"dossier_type": "algemene_vraag", "dossier_nis": AALST}
    text = "Mag ik mijn etalage tijdelijk bekleven met reclame voor een actie?"
    tracker = form_tracker(text, "nlu_fallback", confidence=0.3, form="algemene_vraag_form",
                           requested="dossier_description", slots=values)
    _, events = await run(ValidateAlgemeneVraagForm(), tracker)
    slots = slot_events(events)
    assert slots["dossier_description"] == text
    assert slots["requested_slot"] == "dossier_applicant_name"


async def test_every_handled_message_keeps_the_form_going():
    values = terras_answers(dossier_email=None)
    for text in ("lotte@voorbeeld.be", "lotte@", "/deny"):
        tracker = form_tracker(text, "inform", requested="dossier_email", slots=values)
        _, events = await run(ValidateTerrasvergunningForm(), tracker)
        assert form_accepts(events), text


async def test_a_name_that_happens_to_look_like_a_topic_is_still_an_answer():
    values = terras_answers(dossier_business_name=None)
    tracker = form_tracker("Frituur Bij Jos", "ask_horeca_uitbating", confidence=0.7,
                           requested="dossier_business_name", slots=values)
    _, events = await run(ValidateTerrasvergunningForm(), tracker)
    assert slot_events(events)["dossier_business_name"] == "Frituur Bij Jos"


@pytest.mark.parametrize(("text", "intent"), [("laat maar", "deny"), ("stop", "stop_form"),
                                              ("/stop_form", "stop_form")])
async def test_stop_ends_the_form_and_nothing_is_submitted(text, intent, use_services):
    values = terras_answers(dossier_email=None, dossier_phone=None)
    tracker = form_tracker(text, intent, requested="dossier_email", slots=values)
    messages, events = await run(ValidateTerrasvergunningForm(), tracker)
    assert messages == [] and slot_events(events)["requested_slot"] is None
    assert form_accepts(events)  # else Rasa would treat "stop" as a question for elsewhere
    backend = RecordingBackend()
    use_services(dossiers=backend)
    finish = make_tracker(text, intent, slots={**values, "dossier_confirmed": None})
    messages, events = await run(ActionFinishDossier(), finish)
    assert responses(messages) == ["utter_dossier_stopped"]
    assert backend.outbox.submitted == []
    cleared = slot_events(events)
    assert all(cleared[slot] is None for slot in FORM_STATE_SLOTS)
    assert cleared["dossier_type"] is None


# --- confirmation and corrections -------------------------------------------------------------

async def test_summary_shows_every_answer_in_dutch_and_the_counter():
    tracker = form_tracker("0470 12 34 56", "inform", requested="dossier_confirmed",
                           slots=terras_answers())
    messages, _ = await run(ActionAskDossierConfirmed(), tracker)
    summary = messages[0]
    assert summary["response"] == "utter_dossier_summary"
    assert summary["counter_name"] and summary["type_title"] == "een terrasvergunning"
    text = summary["summary"]
    assert "Gemeente: Gent" in text and "Naam van de zaak: Café De Hoek" in text
    assert "van 1 april 2027 tot en met 30 september 2027" in text
    assert "18,5 m²" in text and "(niet ingevuld)" in text and VALID_KBO in text
    buttons = DOMAIN["responses"]["utter_dossier_summary"][0]["buttons"]
    assert [b["payload"] for b in buttons] == ["/affirm", "/correct_dossier", "/stop_form"]


async def test_confirming_fixes_an_idempotency_key_and_completes_the_form():
    tracker = form_tracker("/affirm", "affirm", requested="dossier_confirmed",
                           slots=terras_answers())
    _, events = await run(ValidateTerrasvergunningForm(), tracker)
    slots = slot_events(events)
    assert slots["dossier_confirmed"] is True and slots["requested_slot"] is None
    assert len(slots["dossier_submission_key"]) >= 16


async def test_correction_via_buttons_asks_that_field_again_then_the_summary():
    values = terras_answers()
    tracker = form_tracker("/correct_dossier", "correct_dossier", requested="dossier_confirmed",
                           slots=values)
    _, events = await run(ValidateTerrasvergunningForm(), tracker)
    assert slot_events(events)["requested_slot"] == "dossier_edit_field"
    messages, _ = await run(ActionAskDossierEditField(), tracker)
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/correct_dossier{"dossier_field":"dossier_address"}' in payloads
    assert payloads[-1] == "/affirm"
    choice = form_tracker('/correct_dossier{"dossier_field":"dossier_address"}',
                          "correct_dossier", requested="dossier_edit_field", slots=values,
                          entities=[{"entity": "dossier_field", "value": "dossier_address"}])
    _, events = await run(ValidateTerrasvergunningForm(), choice)
    slots = slot_events(events)
    assert slots["dossier_address"] is None and slots["requested_slot"] == "dossier_address"
    values["dossier_address"] = None
    answer = form_tracker("Kerkstraat 14, 9000 Gent", "inform", requested="dossier_address",
                          slots=values)
    _, events = await run(ValidateTerrasvergunningForm(), answer)
    slots = slot_events(events)
    assert slots["dossier_address"] == "Kerkstraat 14, 9000 Gent"
    assert slots["requested_slot"] == "dossier_confirmed"


async def test_typed_correction_with_the_new_value_updates_it_at_once():
    tracker = form_tracker("mijn e-mailadres is fout, het is lotte.verbeke@voorbeeld.be",
                           "correct_dossier", requested="dossier_confirmed",
                           slots=terras_answers())
    messages, events = await run(ValidateTerrasvergunningForm(), tracker)
    slots = slot_events(events)
    assert slots["dossier_email"] == "lotte.verbeke@voorbeeld.be"
    assert slots["requested_slot"] == "dossier_confirmed"
    assert responses(messages) == ["utter_dossier_field_updated"]


async def test_correction_in_the_middle_of_the_form_goes_back_to_that_question():
    values = terras_answers(dossier_phone=None, dossier_email=None)
    tracker = form_tracker("wacht, het adres klopt niet", "correct_dossier",
                           requested="dossier_email", slots=values)
    _, events = await run(ValidateTerrasvergunningForm(), tracker)
    slots = slot_events(events)
    assert slots["dossier_address"] is None and slots["requested_slot"] == "dossier_address"


async def test_a_failing_validation_apologises_and_asks_again_instead_of_going_silent(
        monkeypatch):
    import actions.dossier_forms as forms

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(forms, "answer", broken)
    tracker = form_tracker("Café De Hoek", "inform", requested="dossier_business_name",
                           slots=terras_answers(dossier_business_name=None))
    messages, events = await run(ValidateTerrasvergunningForm(), tracker)
    assert responses(messages) == ["utter_technical_problem"]
    assert slot_events(events)["requested_slot"] == "dossier_business_name"


# --- submitting ---------------------------------------------------------------------------------

class RecordingOutbox:
    def __init__(self) -> None:
        self.submitted: list[dict[str, Any]] = []


class RecordingBackend:
    def __init__(self) -> None:
        self.outbox = RecordingOutbox()

    def wake(self) -> None:
        """Nothing to deliver: the outbox only records."""

    def active(self) -> RecordingBackend:
        return self


class ServiceHarness:
    """The real dossier service on a local port, which can be down (not listening) or up."""

    def __init__(self, tmp_path: Path, types: dict[str, DossierType] | None = None) -> None:
        self.tmp_path = tmp_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.types = types
        self.storage: Any = None
        self._storage_cm: Any = None
        self._serving: Any = None

    async def up(self) -> None:
        self._storage_cm = open_storage("sqlite", self.tmp_path)
        self.storage = await self._storage_cm.__aenter__()
        app = create_dossier_app(self.storage, OFFICERS, service_token=SERVICE_TOKEN,
                                 dossier_types=self.types)
        self._serving = serving(app, self.port)
        await self._serving.__aenter__()

    async def down(self) -> None:
        if self._serving is not None:
            await self._serving.__aexit__(None, None, None)
            self._serving = None
        if self._storage_cm is not None:
            await self._storage_cm.__aexit__(None, None, None)
            self._storage_cm = None

    async def dossiers(self, counter: str) -> list[Any]:
        return await self.storage.list_for_counter(counter)


@pytest.fixture
async def service(tmp_path, use_services):
    harness = ServiceHarness(tmp_path)
    client = DossierClient(harness.url, SERVICE_TOKEN, timeout=1.5, retries=1, backoff=0.01)
    backend = DossierBackend(client, Outbox(client, tmp_path / "outbox.sqlite3"),
                             delivery_interval=0.05)
    use_services(dossiers=backend)
    try:
        yield harness, backend
    finally:
        await backend.close()
        await harness.down()


def confirmed(**overrides: Any) -> dict[str, Any]:
    return {**terras_answers(**overrides), "dossier_confirmed": True,
            "dossier_submission_key": "key-" + "a" * 20}


async def test_confirmed_application_is_submitted_and_the_reply_carries_the_dossier(service):
    harness, _ = service
    await harness.up()
    messages, events = await run(ActionFinishDossier(), make_tracker("/affirm", "affirm",
                                                                     slots=confirmed()))
    reply = messages[0]
    assert reply["response"] == "utter_dossier_submitted"
    assert REFERENCE.fullmatch(reply["reference"])
    assert reply["buttons"][0]["payload"] == (
        f'/ask_dossier_status{{"reference":"{reply["reference"]}"}}')
    assert is_contract(reply["custom"])
    contract = public(reply["custom"])
    dossier = contract["dossier"]
    assert contract["municipality"] == "Gent" and contract["counter"] == "gent"
    assert dossier == {"reference": reply["reference"], "type": "terrasvergunning",
                       "status": "received", "municipality": "Gent", "counter": "gent"}
    slots = slot_events(events)
    assert slots["dossier"] == dossier
    assert all(slots[slot] is None for slot in FORM_STATE_SLOTS)  # no personal data lingers
    stored = await harness.dossiers("gent")
    assert len(stored) == 1 and stored[0].applicant.email == "lotte@voorbeeld.be"
    assert stored[0].fields["period"] == {"start": "2027-04-01", "end": "2027-09-30"}


async def test_service_down_keeps_the_submission_and_it_arrives_exactly_once(service):
    harness, backend = service  # the service is down: nothing listens on its port
    tracker = make_tracker("/affirm", "affirm", slots=confirmed())
    messages, events = await run(ActionFinishDossier(), tracker)
    assert responses(messages) == ["utter_dossier_queued"]
    assert messages[0]["custom"]["dossier"]["status"] == "queued"
    slots = slot_events(events)
    assert slots["dossier_pending_key"] == "key-" + "a" * 20
    assert await backend.outbox.pending_count() == 1
    # The owner asks in the meantime: honestly still waiting.
    status_slots = {"dossier_pending_key": slots["dossier_pending_key"],
                    "dossier": slots["dossier"]}
    messages, _ = await run(ActionDossierStatus(), make_tracker(
        "is mijn aanvraag goed aangekomen?", "ask_dossier_status", slots=status_slots))
    assert responses(messages) == ["utter_dossier_status_pending"]
    # The service comes back; the background delivery sends it.
    await harness.up()
    for _ in range(100):
        if await backend.outbox.pending_count() == 0:
            break
        await asyncio.sleep(0.05)
    assert await backend.outbox.pending_count() == 0
    # The owner retries anyway (double click, impatience): still one dossier.
    messages, _ = await run(ActionFinishDossier(), tracker)
    assert responses(messages) == ["utter_dossier_submitted", None]  # + the documents asked
    stored = await harness.dossiers("gent")
    assert len(stored) == 1
    assert messages[0]["reference"] == stored[0].reference
    messages, events = await run(ActionDossierStatus(), make_tracker(
        "is mijn aanvraag goed aangekomen?", "ask_dossier_status", slots=status_slots))
    assert responses(messages) == ["utter_dossier_status_delivered_later"]
    assert messages[0]["reference"] == stored[0].reference
    assert slot_events(events)["dossier_pending_key"] is None


async def test_after_a_restart_queued_submissions_leave_with_the_first_dossier_action(
        tmp_path, monkeypatch):
    harness = ServiceHarness(tmp_path)
    path = tmp_path / "outbox.sqlite3"
    client = DossierClient(harness.url, SERVICE_TOKEN, timeout=1.5, retries=0)
    queued = await Outbox(client, path).submit(
        {"type": "terrasvergunning", "tenant": "oost-vlaanderen", "counter": "gent",
         "municipality": {"nis": GENT, "name": "Gent"},
         "applicant": {"name": "Lotte Verbeke", "email": "lotte@voorbeeld.be",
                       "enterprise_number": VALID_KBO},
         "fields": {"business_name": "Café De Hoek", "address": "Kerkstraat 12",
                    "period": {"start": "2027-04-01", "end": "2027-09-30"}, "surface": 18.5}},
        "key-" + "c" * 20)
    await client.close()
    assert queued.queued  # the service was down
    monkeypatch.setenv("DOSSIER_SERVICE_URL", harness.url)
    monkeypatch.setenv("DOSSIER_SERVICE_TOKEN", SERVICE_TOKEN)
    monkeypatch.setenv("DOSSIER_OUTBOX_PATH", str(path))
    monkeypatch.setenv("DOSSIER_OUTBOX_INTERVAL_SECONDS", "0.05")
    services_module.install(None)  # a fresh action server process, configured from the env
    await harness.up()
    try:
        await run(ActionStartDossier(), make_tracker("dossier starten", "start_dossier"))
        for _ in range(100):
            if await harness.dossiers("gent"):
                break
            await asyncio.sleep(0.05)
        assert len(await harness.dossiers("gent")) == 1
    finally:
        await services_module.services().dossiers.close()
        await harness.down()


async def test_a_broken_outbox_keeps_the_answers_for_a_retry_without_retyping(service,
                                                                               monkeypatch):
    _, backend = service

    async def broken(*_: Any, **__: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(backend.outbox, "submit", broken)
    messages, events = await run(ActionFinishDossier(), make_tracker("/affirm", "affirm",
                                                                     slots=confirmed()))
    assert responses(messages) == ["utter_dossier_submit_failed"]
    assert messages[0]["buttons"][0]["payload"] == (
        '/start_dossier{"dossier_type":"terrasvergunning"}')
    slots = slot_events(events)
    assert slots == {"dossier_confirmed": None, "dossier_submission_key": "key-" + "a" * 20}
    # The retry button restarts the same form: nothing to retype, the summary comes back.
    retry = make_tracker('/start_dossier{"dossier_type":"terrasvergunning"}', "start_dossier",
                         slots={**confirmed(), "dossier_confirmed": None},
                         entities=[{"entity": "dossier_type", "value": "terrasvergunning"}])
    messages, events = await run(ActionStartDossier(), retry)
    assert responses(messages) == ["utter_dossier_resume"]
    assert "dossier_submission_key" not in slot_events(events)


async def test_data_the_service_refuses_is_reported_honestly_and_not_retried(service):
    harness, backend = service
    await harness.up()
    messages, events = await run(ActionFinishDossier(), make_tracker(
        "ja", "affirm", slots=confirmed(dossier_surface=-5)))
    assert responses(messages) == ["utter_dossier_rejected", "utter_counter_info"]
    assert "dossier" not in public(messages[0]["custom"])
    assert all(slot_events(events)[slot] is None for slot in FORM_STATE_SLOTS)
    assert await backend.outbox.pending_count() == 0 and await harness.dossiers("gent") == []


async def test_general_question_is_submitted_when_the_service_knows_the_type(tmp_path,
                                                                           use_services):
    types = {**load_dossier_types(), "algemene_vraag": DossierType(
        "algemene_vraag", ("description",), (), (), {"description": "text"})}
    harness = ServiceHarness(tmp_path, types)
    client = DossierClient(harness.url, SERVICE_TOKEN, timeout=1.5, retries=1)
    backend = DossierBackend(client, Outbox(client, tmp_path / "o.sqlite3"),
                             delivery_interval=3600)
    use_services(dossiers=backend)
    try:
        await harness.up()
        slots = {"dossier_type": "algemene_vraag", "dossier_nis": AALST,
                 "dossier_description": "Mag ik mijn etalage tijdelijk bekleven?",
                 "dossier_applicant_name": "Jan Peeters", "dossier_email": "jan@voorbeeld.be",
                 "dossier_phone": "", "dossier_confirmed": True,
                 "dossier_submission_key": "key-" + "b" * 20}
        messages, _ = await run(ActionFinishDossier(), make_tracker("ja", "affirm", slots=slots))
        assert responses(messages) == ["utter_dossier_submitted"]  # a question: no documents
        assert messages[0]["custom"]["dossier"]["counter"] == "aalst"
    finally:
        await backend.close()
        await harness.down()


# --- status ------------------------------------------------------------------------------------

async def test_status_question_with_reference_asks_the_email_then_explains_the_status(service):
    harness, _ = service
    await harness.up()
    messages, _ = await run(ActionFinishDossier(), make_tracker("ja", "affirm",
                                                                slots=confirmed()))
    reference = messages[0]["reference"]
    text = f"Wat is de status van mijn dossier {reference.lower()}?"
    start = form_tracker(text, "ask_dossier_status", form="dossier_status_form",
                         requested=None, active=False)
    _, events = await run(ValidateDossierStatusForm(), start)
    slots = slot_events(events)
    assert slots["dossier_status_reference"] == reference
    assert slots["requested_slot"] == "dossier_status_email"
    lookup = {"dossier_status_reference": reference, "dossier_status_email": "LOTTE@voorbeeld.be"}
    messages, events = await run(ActionDossierStatus(), make_tracker("x", "inform", slots=lookup))
    assert responses(messages) == ["utter_dossier_status_received"]
    assert messages[0]["reference"] == reference and messages[0]["counter_name"]
    assert messages[0]["custom"]["dossier"]["reference"] == reference
    assert slot_events(events)["dossier_status_email"] is None


async def test_wrong_email_does_not_reveal_the_dossier(service):
    harness, _ = service
    await harness.up()
    messages, _ = await run(ActionFinishDossier(), make_tracker("ja", "affirm",
                                                                slots=confirmed()))
    lookup = {"dossier_status_reference": messages[0]["reference"],
              "dossier_status_email": "iemand.anders@voorbeeld.be"}
    messages, _ = await run(ActionDossierStatus(), make_tracker("x", "inform", slots=lookup))
    assert responses(messages) == ["utter_dossier_status_not_found"]
    assert "dossier" not in public(messages[0]["custom"])


async def test_status_while_the_service_is_down_says_so(service):
    lookup = {"dossier_status_reference": "OVL-2026-K7M4QX",
              "dossier_status_email": "lotte@voorbeeld.be"}
    messages, _ = await run(ActionDossierStatus(), make_tracker("x", "inform", slots=lookup))
    assert responses(messages) == ["utter_dossier_status_unavailable"]


async def test_status_form_explains_what_a_reference_looks_like():
    tracker = form_tracker("mijn nummer is 12345", "inform", form="dossier_status_form",
                           requested="dossier_status_reference")
    messages, events = await run(ValidateDossierStatusForm(), tracker)
    assert responses(messages) == ["utter_dossier_invalid_reference_format"]
    assert slot_events(events)["requested_slot"] == "dossier_status_reference"


# --- the domain matches the code ----------------------------------------------------------------

def test_every_form_question_exists_in_the_domain():
    for form, spec in DOMAIN["forms"].items():
        for slot in spec["required_slots"]:
            if slot == "dossier_confirmed":
                continue
            names = {f"utter_ask_{slot}", f"utter_ask_{form}_{slot}"}
            assert names & set(DOMAIN["responses"]), slot


def test_every_error_code_has_a_dutch_explanation():
    # ERROR_CODES is the typed list mypy holds every Invalid(...) to.
    missing = {code for code in ERROR_CODES if invalid_reply(code)[0] not in DOMAIN["responses"]}
    assert not missing


@pytest.mark.parametrize(("validator", "text"), [
    (validate_email, "jan@"), (validate_phone, "12"), (validate_enterprise_number, "0123"),
    (validate_surface, "veel"), (validate_name, ""),
])
def test_a_refused_answer_names_a_listed_code(validator, text):
    result = validator(text)
    assert isinstance(result, Invalid) and result.code in ERROR_CODES


def test_forms_ask_everything_the_dossier_service_requires():
    for type_id, dossier_type in load_dossier_types().items():
        slots = DOMAIN["forms"][f"{type_id}_form"]["required_slots"]
        for field in dossier_type.required:
            assert f"dossier_{field}" in slots, (type_id, field)
        for extra in dossier_type.applicant_required:
            assert f"dossier_{extra}" in slots, (type_id, extra)
        assert {"dossier_nis", "dossier_applicant_name", "dossier_email"} <= set(slots)
        assert slots[-1] == "dossier_confirmed"


async def test_outbox_delivery_starts_with_the_first_use_not_at_import(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_OUTBOX_PATH", str(tmp_path / "outbox.sqlite3"))
    monkeypatch.setenv("DOSSIER_SERVICE_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("DOSSIER_SERVICE_TOKEN", SERVICE_TOKEN)
    services_module.install(None)
    backend = services_module.services().dossiers
    assert not (tmp_path / "outbox.sqlite3").exists()
    assert backend.task is None
    try:
        backend.wake()
        assert backend.client.timeout.total == 1.5 and backend.client.retries == 1
        assert backend.task is not None and not backend.task.done()
        assert services_module.services().dossiers is backend  # one per process
    finally:
        await backend.close()


async def test_yes_with_a_correction_is_not_a_confirmation():
    tracker = form_tracker("ja, maar het adres klopt niet", "affirm", confidence=0.8,
                           requested="dossier_confirmed", slots=terras_answers())
    _, events = await run(ValidateTerrasvergunningForm(), tracker)
    slots = slot_events(events)
    assert "dossier_confirmed" not in slots or slots["dossier_confirmed"] is None
    assert slots["requested_slot"] == "dossier_address"


# --- leaving a form as one would at a counter --------------------------------------------------

PERSON_REQUESTS = ["ik wil graag iemand spreken over mijn aanvraag",
                   "kan ik met een medewerker praten?", "mag iemand van het loket mij bellen"]


@pytest.mark.parametrize("text", PERSON_REQUESTS)
async def test_asking_for_a_person_in_a_form_ends_it_and_hands_over(text):
    # The classifier is unsure (as it was for these): the owner's words decide.
    tracker = form_tracker(text, "inform", requested="dossier_email", confidence=0.55,
                           slots=terras_answers(dossier_email=None))
    messages, events = await run(ValidateTerrasvergunningForm(), tracker)
    assert not any(r and r.startswith("utter_dossier_invalid") for r in responses(messages))
    assert slot_events(events)["requested_slot"] is None  # the form ends
    finish = make_tracker(text, "inform", slots={**terras_answers(), "dossier_confirmed": None})
    messages, events = await run(ActionFinishDossier(), finish)
    assert "utter_dossier_stopped" not in responses(messages)
    assert ("followup", "action_request_human") in [(e["event"], e.get("name")) for e in events]
    assert slot_events(events)["dossier_type"] is None  # nothing kept of the form


@pytest.mark.parametrize("text", PERSON_REQUESTS[:2])
async def test_asking_for_a_person_in_the_status_check_hands_over(text):
    tracker = form_tracker(text, "inform", form="dossier_status_form", confidence=0.5,
                           requested="dossier_status_email",
                           slots={"dossier_status_reference": "OVL-2026-K7M4QX"})
    messages, events = await run(ValidateDossierStatusForm(), tracker)
    assert responses(messages) == []  # not "Dat is geen geldig e-mailadres"
    assert slot_events(events)["requested_slot"] is None
    status = make_tracker(text, "inform", slots={"dossier_status_reference": None})
    messages, events = await run(ActionDossierStatus(), status)
    assert "utter_dossier_status_stopped" not in responses(messages)
    assert ("followup", "action_request_human") in [(e["event"], e.get("name")) for e in events]


async def test_yes_to_an_optional_question_asks_for_the_value_instead_of_insisting():
    tracker = form_tracker("ja", "affirm", requested="dossier_description",
                           slots=terras_answers(dossier_description=None))
    messages, events = await run(ValidateTerrasvergunningForm(), tracker)
    assert responses(messages) == ["utter_dossier_optional_go_ahead"]
    assert slot_events(events)["requested_slot"] == "dossier_description"
    assert slot_events(events)["dossier_description"] is None
    then = form_tracker("Graag een plaats dicht bij de gevel", "inform",
                        requested="dossier_description",
                        slots=terras_answers(dossier_description=None))
    _, events = await run(ValidateTerrasvergunningForm(), then)
    assert slot_events(events)["dossier_description"] == "Graag een plaats dicht bij de gevel"


@pytest.mark.parametrize("text", ["liever niet", "nee, bedankt", "Nee dat hoeft niet", "niks meer"])
async def test_no_in_words_skips_an_optional_question(text):
    tracker = form_tracker(text, "deny", requested="dossier_description", confidence=0.4,
                           slots=terras_answers(dossier_description=None))
    messages, events = await run(ValidateTerrasvergunningForm(), tracker)
    assert responses(messages) == []
    assert slot_events(events)["dossier_description"] == SKIPPED
    assert slot_events(events)["requested_slot"] != "dossier_description"


async def test_a_description_that_mentions_people_is_not_a_hand_over():
    text = "We praten nog met de buren over de plaats van de tafels"
    tracker = form_tracker(text, "inform", requested="dossier_description", confidence=0.6,
                           slots=terras_answers(dossier_description=None))
    _, events = await run(ValidateTerrasvergunningForm(), tracker)
    assert slot_events(events)["dossier_description"] == text
