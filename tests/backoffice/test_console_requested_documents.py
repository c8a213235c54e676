"""The officer's dossier page lists the documents the dossier type asks for
(content/requested_documents.yml), required ones first, and marks the required ones missing
while the owner has added nothing; once documents arrived the officer is told to check them."""

from __future__ import annotations

import re

import yaml

from bot.paths import DEFAULT_CONTENT_DIR
from tests.backoffice.conftest import Stack
from tests.backoffice.test_console_documents import owner_upload
from tests.bot import document_files as files

TYPES = yaml.safe_load((DEFAULT_CONTENT_DIR / "requested_documents.yml").read_text("utf-8"))[
    "types"]
ITEM = re.compile(r'<li class="requested__item requested__item--(\w+)"><strong>([^<]+)</strong>')


async def requested(stack: Stack, reference: str) -> tuple[list[tuple[str, str]], str]:
    html = await (await stack.web.get(f"/officer/dossiers/{reference}")).text()
    block = html.split('<div class="requested-documents">', 1)[1].split("</div>", 1)[0]
    return [(label, state) for state, label in ITEM.findall(block)], block


async def test_a_new_terrace_dossier_misses_its_plan(stack):
    reference = await stack.submit(conversation_id="conv-terras")
    await stack.login("sofie")
    items, block = await requested(stack, reference)
    plan, photo = TYPES["terrasvergunning"]
    assert items == [(plan["label"], "missing"), (photo["label"], "absent")]
    assert "ontbreekt nog" in block and "niet toegevoegd" in block
    assert "Er ontbreekt nog 1 gevraagd document" in block


async def test_once_a_document_arrived_the_officer_checks_it(stack):
    reference = await stack.submit(conversation_id="conv-terras")
    await owner_upload(stack, reference, files.pdf(), "plan.pdf")
    await stack.login("sofie")
    items, block = await requested(stack, reference)
    assert [state for _, state in items] == ["check", "check"]
    assert "ontbreekt nog" not in block
    assert "Er is 1 document ontvangen. Kijk na" in block


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
