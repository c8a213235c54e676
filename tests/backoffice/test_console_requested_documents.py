"""The officer's dossier page lists the documents the dossier type asks for
(content/requested_documents.yml), required ones first: each one "ontvangen" with the file name
of the upload assigned to it, or "ontbreekt nog" when it is required; uploads that did not say
which document they are follow as "niet toegewezen"."""

from __future__ import annotations

import re
from urllib.parse import quote

import yaml

from bot.paths import DEFAULT_CONTENT_DIR
from bot.web.chat import RASA_KEY
from bot.webcore.owner_session import SESSION_COOKIE
from tests.backoffice.conftest import Stack
from tests.backoffice.test_console_documents import owner_upload
from tests.bot import document_files as files
from tests.bot.dossier_fixtures import SERVICE_TOKEN

TYPES = yaml.safe_load((DEFAULT_CONTENT_DIR / "requested_documents.yml").read_text("utf-8"))[
    "types"]
ITEM = re.compile(r'<li class="requested__item requested__item--(\w+)"><strong>([^<]+)</strong>'
                  r' <span class="line__at">([^<]*)</span>')


async def requested(stack: Stack, reference: str) -> tuple[list[tuple[str, str]], str]:
    html = await (await stack.web.get(f"/officer/dossiers/{reference}")).text()
    block = html.split('<div class="requested-documents">', 1)[1].split("</div>", 1)[0]
    return [(label, state) for state, label, _ in ITEM.findall(block)], block


async def states(stack: Stack, reference: str) -> list[tuple[str, str, str]]:
    html = await (await stack.web.get(f"/officer/dossiers/{reference}")).text()
    block = html.split('<div class="requested-documents">', 1)[1].split("</div>", 1)[0]
    return [(label, state, text) for state, label, text in ITEM.findall(block)]


async def test_a_new_terrace_dossier_misses_its_plan(stack):
    reference = await stack.submit(conversation_id="conv-terras")
    await stack.login("sofie")
    items, block = await requested(stack, reference)
    plan, photo = TYPES["terrasvergunning"]
    assert items == [(plan["label"], "missing"), (photo["label"], "absent")]
    assert "ontbreekt nog" in block and "niet toegevoegd" in block
    assert "Er ontbreekt nog 1 gevraagd document" in block


async def test_an_upload_that_did_not_say_is_listed_as_not_assigned(stack):
    reference = await stack.submit(conversation_id="conv-terras")
    await owner_upload(stack, reference, files.pdf(), "scan.pdf")
    await stack.login("sofie")
    items, block = await requested(stack, reference)
    plan, photo = TYPES["terrasvergunning"]
    assert items == [(plan["label"], "missing"), (photo["label"], "absent"),
                     ("scan.pdf", "unassigned")]
    assert "niet toegewezen" in block and "Er ontbreekt nog 1 gevraagd document." in block
    assert "1 document ontvangen dat niet toegewezen is" in block


async def test_an_upload_for_the_plan_is_received_with_its_file_name(stack):
    reference = await stack.submit(conversation_id="conv-terras")
    await owner_upload(stack, reference, files.pdf(), "plan terras.pdf",
                       requested_key="terrace_plan")
    await stack.login("sofie")
    plan, photo = TYPES["terrasvergunning"]
    assert await states(stack, reference) == [
        (plan["label"], "received", "gevraagd · ontvangen: plan terras.pdf"),
        (photo["label"], "absent", "als de ondernemer het heeft · niet toegevoegd")]
    _, block = await requested(stack, reference)
    assert "ontbreekt nog" not in block and "Alle gevraagde documenten zijn ontvangen." in block


async def test_a_chat_upload_for_the_plan_shows_on_the_officers_page_as_received(stack):
    """The owner chose the plan's button in the web chat: the page sends its id along."""
    await stack.web.get("/")
    sid = stack.web.session.cookie_jar.filter_cookies(stack.web.make_url("/"))[
        SESSION_COOKIE].value
    reference = await stack.submit(conversation_id=sid)

    async def events(sender: str) -> list[dict]:
        assert sender == sid
        return [{"event": "slot", "name": "dossier_document_reference", "value": reference}]

    stack.web.app[RASA_KEY].events = events  # type: ignore[attr-defined]
    response = await stack.web.post("/api/chat/documents", data=files.png(), headers={
        "X-Document-Name": quote("mijn plan.png"), "X-Requested-Document": "terrace_plan"})
    assert response.status == 201, await response.text()
    assert (await response.json())["ok"] is True
    await stack.login("sofie")
    plan, photo = TYPES["terrasvergunning"]
    assert await states(stack, reference) == [
        (plan["label"], "received", "gevraagd · ontvangen: mijn plan.png"),
        (photo["label"], "absent", "als de ondernemer het heeft · niet toegevoegd")]


async def test_a_chat_upload_naming_a_document_the_type_does_not_ask_for_is_refused(stack):
    await stack.web.get("/")
    sid = stack.web.session.cookie_jar.filter_cookies(stack.web.make_url("/"))[
        SESSION_COOKIE].value
    reference = await stack.submit(conversation_id=sid)

    async def events(sender: str) -> list[dict]:
        return [{"event": "slot", "name": "dossier_document_reference", "value": reference}]

    stack.web.app[RASA_KEY].events = events  # type: ignore[attr-defined]
    response = await stack.web.post("/api/chat/documents", data=files.pdf(), headers={
        "X-Document-Name": "x.pdf", "X-Requested-Document": "sign_design"})
    body = await response.json()
    assert response.status == 422 and body["ok"] is False
    assert "welk gevraagd document" in body["message"]
    listed = await stack.service.get(f"/api/dossiers/{reference}/requested-documents",
                                     headers={"Authorization": f"Bearer {SERVICE_TOKEN}",
                                              "X-Conversation-Id": sid})
    assert [d["received"] for d in (await listed.json())["documents"]] == [False, False]


async def test_a_sign_needs_its_photo_and_a_question_asks_for_nothing(stack):
    sign = await stack.submit(type="reclame_uithangbord", fields={
        "business_name": "Bakkerij Pauwels", "address": "Kerkstraat 3, 9000 Gent",
        "sign_description": "Lichtbak boven de deur"})
    await stack.login("sofie")
    items, _ = await requested(stack, sign)
    assert items[0] == (TYPES["reclame_uithangbord"][0]["label"], "missing")
    question = await stack.submit(type="algemene_vraag",
                                  fields={"description": "Mag ik mijn etalage bekleven?"},
                                  applicant={"name": "Jan", "email": "jan@voorbeeld.be"})
    items, block = await requested(stack, question)
    assert items == [] and "geen documenten gevraagd" in block
