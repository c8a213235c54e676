"""The owner answers "aanvullende info nodig" and adds documents in the chat, against the real
dossier service: the status check shows the officer's question and offers both, the answer
lands in the dossier (back to "in behandeling"), and only a conversation that passed the e-mail
check (or submitted the dossier) can add anything."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.dossier_documents import (
    ActionDossierAnswerSend,
    ActionDossierDocumentOffer,
    ValidateDossierAnswerForm,
)
from actions.dossier_status import ActionDossierStatus
from actions.dossier_submit import ActionFinishDossier
from tests.actions.helpers import make_tracker, slot_events
from tests.actions.test_dossier_forms import (  # noqa: F401  (the service fixture)
    confirmed,
    form_tracker,
    responses,
    run,
    service,
)

FORM = "dossier_answer_form"


@pytest.fixture
def live(service):  # noqa: F811  (the real dossier service of test_dossier_forms.py)
    return service
QUESTION = "Stuur ons een plan van het terras en zeg hoe breed het wordt."


def as_sender(tracker: Tracker, sender: str) -> Tracker:
    tracker.sender_id = sender
    return tracker


async def needs_info(harness: Any) -> str:
    """A submitted terrace application for which the counter asks more information."""
    messages, _ = await run(ActionFinishDossier(), make_tracker("ja", "affirm",
                                                                slots=confirmed()))
    reference = str(messages[0]["reference"])
    now = datetime.now(timezone.utc)
    await harness.storage.change_status(reference, from_status="received",
                                        to_status="in_behandeling", actor="t", note=None, now=now)
    await harness.storage.change_status(reference, from_status="in_behandeling",
                                        to_status="aanvullende_info_nodig", actor="t",
                                        note=QUESTION, now=now)
    return reference


async def test_the_owner_sees_the_question_answers_it_and_the_dossier_goes_back(live):
    harness, _ = live
    await harness.up()
    reference = await needs_info(harness)
    lookup = {"dossier_status_reference": reference, "dossier_status_email": "lotte@voorbeeld.be"}
    status = as_sender(make_tracker("lotte@voorbeeld.be", "inform", slots=lookup), "later-chat")
    messages, events = await run(ActionDossierStatus(), status)
    assert responses(messages) == ["utter_dossier_status_aanvullende_info_nodig",
                                   "utter_dossier_status_officer_note",
                                   "utter_dossier_answer_offer"]
    assert messages[1]["officer_note"] == QUESTION
    slots = slot_events(events)
    assert slots["dossier_document_reference"] == reference
    assert slots["dossier_answer_reference"] == reference
    assert slots["dossier_status_email"] is None  # the e-mail is not kept

    state = {"dossier_answer_reference": reference}
    start = as_sender(form_tracker("/answer_dossier", "answer_dossier", form=FORM,
                                   requested=None, slots=state, active=False), "later-chat")
    _, events = await run(ValidateDossierAnswerForm(), start)
    assert slot_events(events)["requested_slot"] == "dossier_answer_text"
    answer = "Het terras wordt 4 meter breed, het plan stuur ik als document."
    given = as_sender(form_tracker(answer, "inform", form=FORM, requested="dossier_answer_text",
                                   slots=state), "later-chat")
    _, events = await run(ValidateDossierAnswerForm(), given)
    assert slot_events(events) == {"dossier_answer_text": answer, "requested_slot": None}

    send = as_sender(make_tracker(answer, "inform", slots={**state, "dossier_answer_text": answer}),
                     "later-chat")
    messages, events = await run(ActionDossierAnswerSend(), send)
    assert responses(messages) == ["utter_dossier_answer_sent"]
    assert slot_events(events) == {"dossier_answer_text": None, "dossier_answer_reference": None}
    dossier = await harness.storage.get(reference)
    assert dossier.status == "in_behandeling"
    assert [a.text for a in await harness.storage.owner_answers(reference)] == [answer]
    history = await harness.storage.history(reference)
    assert (history[-1].actor, history[-1].to_status) == ("owner", "in_behandeling")

    again = as_sender(make_tracker("nog iets", "inform",
                                   slots={**state, "dossier_answer_text": "nog iets"}),
                      "later-chat")
    messages, _ = await run(ActionDossierAnswerSend(), again)
    assert responses(messages) == ["utter_dossier_answer_not_waiting"]
    assert len(await harness.storage.owner_answers(reference)) == 1


async def test_a_conversation_without_the_e_mail_check_cannot_answer(live):
    harness, _ = live
    await harness.up()
    reference = await needs_info(harness)
    forged = {"dossier_answer_reference": reference, "dossier_answer_text": "ik ben het echt"}
    tracker = as_sender(make_tracker("ik ben het echt", "inform", slots=forged), "stranger")
    messages, _ = await run(ActionDossierAnswerSend(), tracker)
    assert responses(messages) == ["utter_dossier_answer_not_waiting"]
    assert await harness.storage.owner_answers(reference) == []
    assert (await harness.storage.get(reference)).status == "aanvullende_info_nodig"


async def test_a_wrong_e_mail_offers_nothing(live):
    harness, _ = live
    await harness.up()
    reference = await needs_info(harness)
    lookup = {"dossier_status_reference": reference, "dossier_status_email": "x@voorbeeld.be"}
    messages, events = await run(ActionDossierStatus(),
                                 as_sender(make_tracker("x", "inform", slots=lookup), "other"))
    assert responses(messages) == ["utter_dossier_status_not_found"]
    assert "dossier_answer_reference" not in slot_events(events)


async def test_stop_ends_the_answer_without_sending(live):
    harness, _ = live
    await harness.up()
    reference = await needs_info(harness)
    stop = form_tracker("stop", "stop_form", form=FORM, requested="dossier_answer_text",
                        slots={"dossier_answer_reference": reference})
    _, events = await run(ValidateDossierAnswerForm(), stop)
    assert slot_events(events)["requested_slot"] is None
    after = slot_events(events)
    messages, events = await run(ActionDossierAnswerSend(), make_tracker(
        "stop", "stop_form", slots={"dossier_answer_reference": reference, **after}))
    assert responses(messages) == ["utter_dossier_answer_stopped"]
    assert slot_events(events)["dossier_answer_reference"] is None
    messages, _ = await run(ActionDossierAnswerSend(), make_tracker("/answer_dossier",
                                                                    "answer_dossier"))
    assert responses(messages) == ["utter_dossier_answer_no_dossier"]
    assert await harness.storage.owner_answers(reference) == []


async def test_adding_a_document_needs_a_dossier_of_this_conversation():
    messages, events = await run(ActionDossierDocumentOffer(),
                                 make_tracker("ik wil een plan toevoegen", "add_dossier_document"))
    assert responses(messages) == ["utter_dossier_document_no_dossier"] and events == []
    own = {"dossier": {"reference": "OVL-2026-K7M4QX", "status": "received"}}
    messages, events = await run(ActionDossierDocumentOffer(),
                                 make_tracker("ik wil een plan toevoegen", "add_dossier_document",
                                              slots=own))
    assert responses(messages) == ["utter_dossier_document_offer"]
    assert slot_events(events) == {"dossier_document_reference": "OVL-2026-K7M4QX"}


def test_the_conversation_store_forgets_the_answer_once_it_is_sent():
    from bot.tracker_privacy import REMOVED, forgets_personal_data, scrub

    answer = "Bel me op 0470 12 34 56, het terras wordt 3 meter."
    events: list[dict[str, Any]] = [
        {"event": "slot", "name": "requested_slot", "value": "dossier_answer_text"},
        {"event": "user", "text": answer, "parse_data": {"text": answer, "entities": []}},
        {"event": "slot", "name": "dossier_answer_text", "value": answer},
        {"event": "slot", "name": "requested_slot", "value": None},
        {"event": "active_loop", "name": None},
        {"event": "action", "name": "action_dossier_answer_send"},
        {"event": "slot", "name": "dossier_answer_text", "value": None},
    ]
    assert forgets_personal_data(events[-1:], form_active=False)
    scrub(events)
    assert answer not in str(events)
    assert events[1]["text"] == REMOVED and events[2]["value"] == REMOVED
