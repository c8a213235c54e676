"""Leaving the status check and the call-back question as one would at a counter: "terug" goes
back one question (or says there is none), "stop" and "liever niet" end it, "ja" to the
optional call-back question asks for the details, a request for a person is answered, and a
question about a topic is left to Rasa before the question comes again. What the owner reads is
checked in Dutch, rendered from the domain's responses."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.dossier_status import ActionDossierStatus, ValidateDossierStatusForm
from actions.handoff_contact import ActionHandoffContactSubmit, ValidateHandoffContactForm
from bot.handoff.client import SubmitResult
from tests.actions.helpers import make_tracker, slot_events
from tests.actions.test_dossier_forms import DOMAIN, form_accepts, form_tracker, responses, run
from tests.actions.test_human import FakeClient

STATUS_FORM = "dossier_status_form"
REFERENCE, EMAIL = "dossier_status_reference", "dossier_status_email"
OWN_REFERENCE = "OVL-2026-K7M4QX"
CONTACT_FORM, CONTACT = "handoff_contact_form", "handoff_contact"
HANDOFF = {"status": "callback", "counter": "aalst", "reference": "HO-CCCC-DDDD"}


def shown(message: dict[str, Any]) -> str:
    """The text the owner reads: the domain's response with the message's variables."""
    variables = {key: value for key, value in message.items() if key != "response"}
    template = DOMAIN["responses"][message["response"]][0]["text"]
    return str(template.format(**variables))


def asked(events: list[dict[str, Any]]) -> Any:
    return slot_events(events).get("requested_slot")


def rejected(events: list[dict[str, Any]]) -> bool:
    return any(e.get("event") == "action_execution_rejected" for e in events)


def status_tracker(text: str, intent: str = "inform", *, requested: str,
                   slots: dict[str, Any] | None = None, confidence: float = 0.5) -> Tracker:
    return form_tracker(text, intent, form=STATUS_FORM, requested=requested, slots=slots,
                        confidence=confidence)


async def validate_status(text: str, intent: str = "inform", *, requested: str,
                          slots: dict[str, Any] | None = None, confidence: float = 0.5
                          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return await run(ValidateDossierStatusForm(),
                     status_tracker(text, intent, requested=requested, slots=slots,
                                    confidence=confidence))


# --- the status check ---------------------------------------------------------------------------

async def test_back_from_the_email_question_shows_the_reference_and_asks_it_again():
    messages, events = await validate_status(OWN_REFERENCE, "ask_dossier_status",
                                             requested=REFERENCE, confidence=0.9)
    assert slot_events(events)[REFERENCE] == OWN_REFERENCE and asked(events) == EMAIL
    messages, events = await validate_status("terug", requested=EMAIL,
                                             slots={REFERENCE: OWN_REFERENCE})
    assert responses(messages) == ["utter_dossier_back"]
    assert "Je antwoord was: Referentie: OVL-2026-K7M4QX" in shown(messages[0])
    assert asked(events) == REFERENCE and slot_events(events)[REFERENCE] is None
    assert form_accepts(events)


@pytest.mark.parametrize("text", ["vorige vraag", "nee wacht, dat was fout", "Terug!"])
async def test_back_in_other_words_also_reopens_the_reference(text):
    messages, events = await validate_status(text, requested=EMAIL,
                                             slots={REFERENCE: OWN_REFERENCE})
    assert responses(messages) == ["utter_dossier_back"] and asked(events) == REFERENCE


async def test_after_going_back_a_new_reference_continues_with_the_email_question():
    messages, events = await validate_status("OVL-2026-B3TR9P", requested=REFERENCE,
                                             slots={REFERENCE: None})
    assert messages == []
    assert slot_events(events)[REFERENCE] == "OVL-2026-B3TR9P" and asked(events) == EMAIL


async def test_back_at_the_first_question_says_there_is_none_and_asks_it_again():
    messages, events = await validate_status("terug", requested=REFERENCE)
    assert responses(messages) == ["utter_dossier_back_first"]
    assert shown(messages[0]).startswith("Dit is de eerste vraag, verder terug kan niet.")
    assert asked(events) == REFERENCE and form_accepts(events)


TOPIC_QUESTIONS = [("wat kost een terrasvergunning?", "ask_terrasvergunning", 0.9),
                   ("hoe lang duurt een omgevingsvergunning", "ask_omgevingsvergunning", 0.92),
                   ("welke documenten heb ik nodig", "nlu_fallback", 0.4)]


@pytest.mark.parametrize(("text", "intent", "confidence"), TOPIC_QUESTIONS)
async def test_a_topic_question_in_the_status_check_is_left_to_rasa(text, intent, confidence):
    # Rasa answers it, then the form asks its question again (no slot at all: rejected).
    messages, events = await validate_status(text, intent, requested=EMAIL,
                                             slots={REFERENCE: OWN_REFERENCE},
                                             confidence=confidence)
    assert messages == [] and events == []


async def test_after_the_question_in_between_the_same_question_comes_again():
    tracker = form_tracker("wat kost een terrasvergunning?", "ask_terrasvergunning",
                           form=STATUS_FORM, requested=EMAIL, slots={REFERENCE: OWN_REFERENCE},
                           after=["action_answer_topic"])
    messages, events = await run(ValidateDossierStatusForm(), tracker)
    assert messages == [] and asked(events) == EMAIL


@pytest.mark.parametrize(("text", "intent"), [
    ("stop", "stop_form"), ("laat maar", "inform"), ("liever niet", "deny"),
    ("nee", "deny"), ("dat wil ik niet geven", "inform")])
async def test_stop_or_no_in_words_ends_the_status_check_without_an_error(text, intent):
    messages, events = await validate_status(text, intent, requested=EMAIL,
                                             slots={REFERENCE: OWN_REFERENCE})
    assert messages == []  # not "Dat is geen geldig e-mailadres"
    slots = slot_events(events)
    assert slots["requested_slot"] is None and slots[REFERENCE] is None
    messages, _ = await run(ActionDossierStatus(),
                            make_tracker(text, intent, slots={REFERENCE: None, EMAIL: None}))
    assert responses(messages) == ["utter_dossier_status_stopped"]
    assert shown(messages[0]).startswith("Oké, dan zoek ik niets op.")


async def test_an_email_address_in_a_sentence_is_understood():
    messages, events = await validate_status("mijn mail is Lotte@Voorbeeld.be", requested=EMAIL,
                                             slots={REFERENCE: OWN_REFERENCE})
    assert messages == []
    assert slot_events(events)[EMAIL] == "Lotte@voorbeeld.be" and asked(events) is None


async def test_a_wrong_email_address_is_still_explained():
    messages, events = await validate_status("lotte@voorbeeld", requested=EMAIL,
                                             slots={REFERENCE: OWN_REFERENCE})
    assert responses(messages) == ["utter_dossier_invalid_email_domain"]
    assert asked(events) == EMAIL


# --- the call-back question ---------------------------------------------------------------------

def contact_tracker(text: str, intent: str = "inform", confidence: float = 0.5,
                    mapped: bool = True, after: list[str] = ()) -> Tracker:
    """The tracker Rasa gives the validation: the slot's mapping took the whole text (never for
    the deny intent), and appends it after the form's own event."""
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence},
              "entities": [], "intent_ranking": [], "metadata": {}}
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": latest},
        *({"event": "action", "name": name} for name in after),
        {"event": "slot", "name": "requested_slot", "value": CONTACT},
        {"event": "action", "name": CONTACT_FORM},
        *([{"event": "slot", "name": CONTACT, "value": text}] if mapped else []),
    ]
    slots = {"handoff": HANDOFF, "requested_slot": CONTACT, CONTACT: text if mapped else None}
    return Tracker(sender_id="owner-1", slots=slots, latest_message=latest, events=events,
                   paused=False, followup_action=None, active_loop={"name": CONTACT_FORM},
                   latest_action_name=CONTACT_FORM)


async def validate_contact(text: str, intent: str = "inform", confidence: float = 0.5,
                           mapped: bool = True
                           ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return await run(ValidateHandoffContactForm(),
                     contact_tracker(text, intent, confidence, mapped))


async def test_back_at_the_call_back_question_says_there_is_none_and_asks_again():
    # The call-back form has one question: nothing before it (as at the first intake question).
    messages, events = await validate_contact("terug")
    assert responses(messages) == ["utter_dossier_back_first"]
    assert shown(messages[0]).startswith("Dit is de eerste vraag, verder terug kan niet.")
    assert slot_events(events) == {CONTACT: None}  # the form asks its question again
    assert not rejected(events)


@pytest.mark.parametrize("text", ["ja", "Ja graag", "ok", "doe maar"])
async def test_yes_to_the_call_back_question_asks_for_the_number_instead_of_an_error(text):
    messages, events = await validate_contact(text, "affirm", 0.9)
    assert responses(messages) == ["utter_dossier_optional_go_ahead"]
    assert shown(messages[0]) == "Graag. Typ het maar hieronder."
    assert slot_events(events) == {CONTACT: None}
    _, events = await validate_contact("0470 12 34 56")
    assert slot_events(events) == {CONTACT: "+32470123456"}


@pytest.mark.parametrize(("text", "intent"), [
    ("liever niet", "inform"), ("nee liever niet", "out_of_scope"), ("overslaan", "inform"),
    ("neen", "nlu_fallback"), ("laat maar", "inform"), ("stop", "stop_form"),
    ("heb ik niet", "inform")])
async def test_no_skip_or_stop_in_words_leaves_no_details_and_keeps_the_reference(
        text, intent, use_services):
    messages, events = await validate_contact(text, intent, 0.55)
    assert messages == []  # not "Dat herken ik niet als een Belgisch telefoonnummer"
    value = slot_events(events)[CONTACT]
    assert value is not None  # the form is done
    client = FakeClient(SubmitResult("callback", "HO-CCCC-DDDD", None, "tok"))
    use_services(handoff=client)
    messages, events = await run(ActionHandoffContactSubmit(),
                                 make_tracker(text, intent, slots={"handoff": HANDOFF,
                                                                   CONTACT: value}))
    assert client.contacts == []  # nothing is sent as a phone number
    assert responses(messages) == ["utter_handoff_contact_declined"]
    assert "referentie HO-CCCC-DDDD" in shown(messages[0])
    assert slot_events(events) == {CONTACT: None}


async def test_the_deny_button_is_left_to_the_declining_rule():
    # "/deny" is never mapped to the slot: nothing to validate, the form is rejected and
    # the rule runs action_handoff_contact_declined.
    messages, events = await validate_contact("/deny", "deny", 1.0, mapped=False)
    assert messages == [] and events == []


@pytest.mark.parametrize("text", ["ik wil iemand spreken", "kan ik met een medewerker praten?"])
async def test_asking_for_a_person_hears_why_it_is_a_call_back_and_the_question_again(text):
    messages, events = await validate_contact(text, "request_human", 0.9)
    assert responses(messages) == ["utter_handoff_callback"]
    text_shown = shown(messages[0])
    assert "referentie HO-CCCC-DDDD" in text_shown and "Aalst" in text_shown
    assert "{" not in text_shown
    assert slot_events(events) == {CONTACT: None} and not rejected(events)


async def test_a_number_in_a_request_to_be_called_is_the_answer():
    text = "mag iemand van het loket mij bellen op 0470 12 34 56"
    messages, events = await validate_contact(text, "request_human", 0.9)
    assert messages == [] and slot_events(events) == {CONTACT: "+32470123456"}
    _, events = await validate_contact("bel me maar op jan@voorbeeld.be, dat is het makkelijkst")
    assert slot_events(events) == {CONTACT: "jan@voorbeeld.be"}


@pytest.mark.parametrize(("text", "intent", "confidence"), TOPIC_QUESTIONS)
async def test_a_topic_question_is_left_to_rasa_and_not_kept_as_contact(text, intent, confidence):
    messages, events = await validate_contact(text, intent, confidence)
    assert messages == []
    assert rejected(events)  # Rasa answers the question
    assert slot_events(events) == {CONTACT: None}  # so the form asks its question again


async def test_after_the_question_in_between_the_call_back_question_comes_again():
    # Rasa validates nothing when it comes back to the form: no candidate, the form asks.
    tracker = contact_tracker("wat kost een terrasvergunning?", "ask_terrasvergunning", 0.9,
                              mapped=False, after=["action_answer_topic"])
    messages, events = await run(ValidateHandoffContactForm(), tracker)
    assert messages == [] and events == []


async def test_something_that_is_no_contact_is_still_explained():
    messages, events = await validate_contact("morgenvroeg", "inform", 0.6)
    assert responses(messages) == ["utter_handoff_contact_invalid"]
    assert slot_events(events) == {CONTACT: None}
