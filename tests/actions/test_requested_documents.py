"""Right after a dossier is submitted in the chat, the owner reads which documents its type asks
for (content/requested_documents.yml, required ones first) and how to add them on their
channel; the conversation can add them at once (the real dossier service takes the upload)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker

from actions.dossier_documents import ActionDossierDocumentOffer
from actions.dossier_submit import ActionFinishDossier
from bot.paths import DEFAULT_CONTENT_DIR
from tests.actions.helpers import make_tracker, slot_events
from tests.actions.test_dossier_forms import (  # noqa: F401  (the service fixture)
    confirmed,
    responses,
    run,
    service,
)
from tests.bot import document_files as files
from tests.bot.dossier_fixtures import SERVICE_TOKEN

CONTENT = yaml.safe_load((DEFAULT_CONTENT_DIR / "requested_documents.yml").read_text("utf-8"))
TEXTS = CONTENT["texts"]
TERRACE = CONTENT["types"]["terrasvergunning"]


@pytest.fixture
def live(service):  # noqa: F811  (the real dossier service of test_dossier_forms.py)
    return service


def on_channel(tracker: Tracker, channel: str) -> Tracker:
    for event in tracker.events:
        if event.get("event") == "user":
            event["input_channel"] = channel
    return tracker


async def submitted(channel: str | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    tracker = make_tracker("ja", "affirm", slots=confirmed())
    messages, events = await run(ActionFinishDossier(),
                                 on_channel(tracker, channel) if channel else tracker)
    return messages, slot_events(events)


async def test_the_confirmation_lists_the_documents_required_first_with_the_file_button(live):
    harness, _ = live
    await harness.up()
    messages, slots = await submitted()
    assert responses(messages) == ["utter_dossier_submitted", None]
    reference = messages[0]["reference"]
    offer = messages[1]
    plan, photo = (offer["text"].index(d["label"]) for d in TERRACE)
    assert TERRACE[0]["required"] and not TERRACE[1]["required"] and plan < photo
    assert TERRACE[0]["hint"] in offer["text"] and reference in offer["text"]
    assert TEXTS["button_other"] in offer["text"]
    # one file button per requested document (its id in the payload), then "iets anders"
    assert offer["buttons"] == [
        {"title": f"{TERRACE[0]['label']} toevoegen",
         "payload": '/add_dossier_document{"requested_document":"terrace_plan"}'},
        {"title": f"{TERRACE[1]['label']} toevoegen",
         "payload": '/add_dossier_document{"requested_document":"location_photo"}'},
        {"title": TEXTS["button_other"], "payload": "/add_dossier_document"}]
    assert offer["custom"]["dossier"]["reference"] == reference
    # the web app's upload reads this slot: the document can be added right away
    assert slots["dossier_document_reference"] == reference


async def test_required_documents_come_first_whatever_the_file_order(live, monkeypatch):
    from actions import dossier_documents
    from bot.dossiers.requested_documents import parse_requested_documents

    reordered = {"types": {"terrasvergunning": [TERRACE[1], TERRACE[0]]}, "texts": TEXTS}
    monkeypatch.setattr(dossier_documents, "requested_documents",
                        lambda: parse_requested_documents(reordered))
    harness, _ = live
    await harness.up()
    messages, _ = await submitted()
    text = messages[1]["text"]
    assert text.index(TERRACE[0]["label"]) < text.index(TERRACE[1]["label"])


async def test_the_submitting_conversation_can_upload_at_once(live):
    harness, backend = live
    await harness.up()
    _, slots = await submitted()
    reference = slots["dossier_document_reference"]
    status, body = await backend.client._request(
        "POST", f"/api/dossiers/{reference}/documents", data=files.pdf(),
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Conversation-Id": "test",
                 "X-Document-Name": "plan.pdf"})
    assert status == 201 and body["filename"] == "plan.pdf"


async def test_on_telegram_the_owner_is_told_to_send_the_file_here_without_a_button(live):
    harness, _ = live
    await harness.up()
    messages, slots = await submitted("telegram")
    offer = messages[1]
    assert offer["text"].startswith(TEXTS["intro_messaging"].split("\n")[0])
    assert "als foto of als PDF" in offer["text"] and not offer.get("buttons")
    assert slots["dossier_document_reference"] == messages[0]["reference"]


async def test_on_teams_the_owner_learns_files_cannot_be_taken_there(live):
    harness, _ = live
    await harness.up()
    messages, _ = await submitted("teams")
    assert "geen bestanden" in messages[1]["text"] and not messages[1].get("buttons")


async def test_document_toevoegen_on_whatsapp_asks_to_send_the_file_in_the_conversation():
    own = {"dossier_document_reference": "OVL-2026-K7M4QX"}
    tracker = on_channel(make_tracker("/add_dossier_document", "add_dossier_document",
                                      slots=own), "twilio_whatsapp")
    messages, events = await run(ActionDossierDocumentOffer(), tracker)
    assert messages[0]["text"] == TEXTS["send_here"].replace("{reference}", "OVL-2026-K7M4QX")
    assert slot_events(events) == {"dossier_document_reference": "OVL-2026-K7M4QX"}


async def test_a_broken_document_list_never_hides_the_submitted_dossier(live, monkeypatch):
    from actions import dossier_documents
    from bot.catalog import ContentError

    def broken() -> None:
        raise ContentError("requested_documents.yml: types/terrasvergunning/0: bad")

    monkeypatch.setattr(dossier_documents, "requested_documents", broken)
    harness, _ = live
    await harness.up()
    messages, slots = await submitted()
    assert responses(messages) == ["utter_dossier_submitted"]
    assert slots["dossier"]["reference"] == messages[0]["reference"]
    assert slots["dossier_document_reference"] == messages[0]["reference"]


async def test_document_toevoegen_later_offers_the_documents_that_did_not_arrive_yet(live):
    harness, backend = live
    await harness.up()
    _, slots = await submitted()
    reference = slots["dossier_document_reference"]
    status, _ = await backend.client._request(
        "POST", f"/api/dossiers/{reference}/documents", data=files.pdf(),
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Conversation-Id": "test",
                 "X-Document-Name": "plan.pdf", "X-Requested-Document": "terrace_plan"})
    assert status == 201
    tracker = make_tracker("ik wil een document toevoegen", "add_dossier_document",
                           slots={"dossier_document_reference": reference})
    messages, events = await run(ActionDossierDocumentOffer(), tracker)
    (offer,) = messages
    assert reference in offer["text"] and TERRACE[1]["label"] in offer["text"]
    assert TERRACE[0]["label"] not in offer["text"]  # the plan arrived
    assert offer["buttons"] == [
        {"title": f"{TERRACE[1]['label']} toevoegen",
         "payload": '/add_dossier_document{"requested_document":"location_photo"}'},
        {"title": TEXTS["button_other"], "payload": "/add_dossier_document"}]
    assert slot_events(events) == {"dossier_document_reference": reference}


async def test_document_toevoegen_while_the_service_is_down_offers_the_plain_button(live):
    tracker = make_tracker("ik wil een document toevoegen", "add_dossier_document",
                           slots={"dossier_document_reference": "OVL-2026-K7M4QX"})
    messages, _ = await run(ActionDossierDocumentOffer(), tracker)
    assert [m.get("response") for m in messages] == ["utter_dossier_document_offer"]
