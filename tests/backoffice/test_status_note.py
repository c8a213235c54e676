"""The chat's status answer shows the officer's note with the current status (and never an
internal note), against the real dossier service."""

from __future__ import annotations

from actions.dossier_status import ActionDossierStatus
from actions.dossier_submit import ActionFinishDossier
from tests.actions.conftest import use_services  # noqa: F401  (fixture)
from tests.actions.helpers import make_tracker
from tests.actions.test_dossier_forms import (
    DOMAIN,
    confirmed,
    responses,
    run,
    service,  # noqa: F401  (fixture)
)


async def test_the_status_answer_carries_the_officers_last_note(service):  # noqa: F811
    harness, _ = service
    await harness.up()
    messages, _ = await run(ActionFinishDossier(), make_tracker("ja", "affirm",
                                                                slots=confirmed()))
    reference = messages[0]["reference"]
    desk = harness.storage
    dossier = await desk.get(reference)
    await desk.add_note(reference, author="x", author_name=None, text="Intern: eerst bellen.",
                        now=dossier.created_at)
    await desk.change_status(reference, from_status="received", to_status="in_behandeling",
                             actor="x", note=None, now=dossier.created_at)
    await desk.change_status(reference, from_status="in_behandeling",
                             to_status="aanvullende_info_nodig", actor="x",
                             note="Stuur ons een plan van het terras.", now=dossier.created_at)
    lookup = {"dossier_status_reference": reference, "dossier_status_email": "lotte@voorbeeld.be"}
    messages, _ = await run(ActionDossierStatus(), make_tracker("x", "inform", slots=lookup))
    # the question, then the offer to answer it in the chat (actions/dossier_documents.py)
    assert responses(messages) == ["utter_dossier_status_aanvullende_info_nodig",
                                   "utter_dossier_status_officer_note",
                                   "utter_dossier_answer_offer"]
    assert messages[1]["officer_note"] == "Stuur ons een plan van het terras."
    assert messages[1]["custom"]["dossier"]["reference"] == reference  # reply contract
    assert "Intern" not in str(messages)
    text = DOMAIN["responses"]["utter_dossier_status_officer_note"][0]["text"]
    assert "{officer_note}" in text


async def test_without_a_note_only_the_status_is_said(service):  # noqa: F811
    harness, _ = service
    await harness.up()
    messages, _ = await run(ActionFinishDossier(), make_tracker("ja", "affirm",
                                                                slots=confirmed()))
    lookup = {"dossier_status_reference": messages[0]["reference"],
              "dossier_status_email": "lotte@voorbeeld.be"}
    messages, _ = await run(ActionDossierStatus(), make_tracker("x", "inform", slots=lookup))
    assert responses(messages) == ["utter_dossier_status_received"]
