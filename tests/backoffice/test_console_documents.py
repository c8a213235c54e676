"""The owner's documents and answers on the officer's dossier page, against a real dossier
service: listed with a download link, downloaded as an attachment with a safe type (audited),
invisible to officers of other counters; the owner's answer stands in the history."""

from __future__ import annotations

from urllib.parse import quote

from tests.backoffice.conftest import AALST, CSRF_RE, Stack
from tests.bot import document_files as files
from tests.bot.dossier_fixtures import SERVICE_TOKEN

LINK = '<a href="/officer/dossiers/{reference}/documents/{id}" download>'


async def owner_upload(stack: Stack, reference: str, data: bytes, name: str,
                       conversation: str = "conv-terras", requested_key: str | None = None
                       ) -> dict:
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Conversation-Id": conversation,
               "X-Document-Name": quote(name)}
    if requested_key is not None:
        headers["X-Requested-Document"] = requested_key
    response = await stack.service.post(f"/api/dossiers/{reference}/documents", data=data,
                                        headers=headers)
    assert response.status == 201, await response.text()
    return await response.json()


async def test_the_officer_sees_and_downloads_the_owners_plan(stack):
    reference = await stack.submit(conversation_id="conv-terras")
    plan = await owner_upload(stack, reference, files.pdf(), "Plan <terras>.pdf")
    await stack.login("sofie")
    html = await (await stack.web.get(f"/officer/dossiers/{reference}")).text()
    assert "Documenten" in html
    assert LINK.format(reference=reference, id=plan["id"]) in html
    assert "Plan terras.pdf" in html and "door de ondernemer" in html and "1 kB" in html
    response = await stack.web.get(f"/officer/dossiers/{reference}/documents/{plan['id']}")
    assert response.status == 200
    assert await response.read() == files.pdf()
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="Plan terras.pdf"')
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert ("dossier_document_downloaded", f"{reference}: Plan terras.pdf") in \
        await stack.audit()


async def test_a_dossier_without_documents_says_so(stack):
    reference = await stack.submit()
    await stack.login("sofie")
    html = await (await stack.web.get(f"/officer/dossiers/{reference}")).text()
    assert "De ondernemer heeft nog geen documenten toegevoegd." in html


async def test_downloads_need_a_session_and_the_dossiers_counter(stack):
    reference = await stack.submit(counter=AALST, conversation_id="conv-aalst")
    photo = await owner_upload(stack, reference, files.png(), "foto.png", "conv-aalst")
    path = f"/officer/dossiers/{reference}/documents/{photo['id']}"
    anonymous = await stack.web.get(path, allow_redirects=False)
    assert anonymous.status == 303 and anonymous.headers["Location"] == "/officer/login"
    await stack.login("sofie")  # Gent only
    assert (await stack.web.get(path)).status == 404
    gent = await stack.submit(conversation_id="conv-gent")
    # an id of another dossier under a dossier the officer may see is not found either
    assert (await stack.web.get(f"/officer/dossiers/{gent}/documents/{photo['id']}")
            ).status == 404
    assert not [a for a in await stack.audit() if a[0] == "dossier_document_downloaded"]


async def test_the_owners_answer_stands_in_the_history(stack):
    reference = await stack.submit(conversation_id="conv-terras")
    await stack.login("sofie")
    for status, note in (("in_behandeling", ""), ("aanvullende_info_nodig",
                                                  "Hoe breed wordt het terras?")):
        html = await (await stack.web.get(f"/officer/dossiers/{reference}")).text()
        version = html.split(f'name="status" value="{status}">', 1)[1]
        version = version.split('name="version" value="', 1)[1].split('"', 1)[0]
        csrf = CSRF_RE.search(html).group(1)
        changed = await stack.web.post(f"/officer/dossiers/{reference}/status", data={
            "csrf": csrf, "status": status, "note": note, "version": version},
            allow_redirects=False)
        assert changed.status == 303
    answered = await stack.service.post(
        f"/api/dossiers/{reference}/owner-answers", json={"text": "Vier meter breed."},
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Conversation-Id": "conv-terras"})
    assert answered.status == 201
    html = await (await stack.web.get(f"/officer/dossiers/{reference}")).text()
    assert "Antwoord van de ondernemer:</strong> Vier meter breed." in html
    assert "de ondernemer (antwoord in de chat)" in html
    assert "Aanvullende info nodig → In behandeling" in html
