"""Owners' documents and answers in the dossier service, on SQLite and PostgreSQL: only the
owner's conversation may add, bad files get a reason and nothing is stored, images are stored
re-encoded without metadata, officers list and download within their counters."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from bot.dossiers.service.app import create_dossier_app
from bot.dossiers.service.file_check import check_document
from tests.bot import document_files as files
from tests.bot.dossier_fixtures import (
    AALST_OFFICER,
    BACKENDS,
    GENT_OFFICER,
    OFFICERS,
    SERVICE_TOKEN,
    open_storage,
    submission,
)

NOW = datetime(2026, 11, 23, 10, 30, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=BACKENDS)
async def api(request, tmp_path) -> AsyncIterator[TestClient]:
    async with open_storage(request.param, tmp_path) as storage:
        clock = Clock()
        app = create_dossier_app(storage, OFFICERS, service_token=SERVICE_TOKEN, clock=clock)
        client = TestClient(TestServer(app))
        await client.start_server()
        client.clock = clock  # type: ignore[attr-defined]
        yield client
        await client.close()


def owner(conversation: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Conversation-Id": conversation,
            **extra}


def officer(token: str = GENT_OFFICER) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def create(api: TestClient, conversation: str = "conv-owner", **overrides) -> str:
    response = await api.post("/api/dossiers", json=submission(conversation_id=conversation,
                                                               **overrides),
                              headers={"Authorization": f"Bearer {SERVICE_TOKEN}",
                                       "Idempotency-Key": f"key-{conversation}-0001"})
    assert response.status == 201, await response.text()
    return str((await response.json())["reference"])


async def upload(api: TestClient, reference: str, data, name: str = "plan.pdf",
                 conversation: str = "conv-owner"):
    return await api.post(f"/api/dossiers/{reference}/documents", data=data,
                          headers=owner(conversation, **{"X-Document-Name": quote(name)}))


async def listing(api: TestClient, reference: str, token: str = GENT_OFFICER) -> dict:
    response = await api.get(f"/api/dossiers/{reference}/documents", headers=officer(token))
    assert response.status == 200, await response.text()
    return await response.json()


async def test_the_owner_adds_a_pdf_and_the_officer_downloads_it_unchanged(api):
    reference = await create(api)
    document = files.pdf()
    response = await upload(api, reference, document, name="Plan terras ../../etc/passwd.PDF")
    assert response.status == 201, await response.text()
    stored = await response.json()
    assert stored["content_type"] == "application/pdf" and stored["size"] == len(document)
    assert stored["filename"] == "passwd.pdf"  # no path, the real type's extension
    listed = await listing(api, reference)
    assert [a["id"] for a in listed["attachments"]] == [stored["id"]]
    download = await api.get(f"/api/dossiers/{reference}/documents/{stored['id']}",
                             headers=officer())
    assert download.status == 200
    assert await download.read() == document
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == 'attachment; filename="passwd.pdf"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"


async def test_a_photo_is_stored_re_encoded_without_its_exif_and_comment(api):
    reference = await create(api)
    photo = files.jpeg_with_gps()
    assert b"SecretCam" in photo and b"hidden comment" in photo
    response = await upload(api, reference, photo, name="terras.jpeg")
    assert response.status == 201, await response.text()
    stored = await response.json()
    assert stored["filename"] == "terras.jpg"
    download = await api.get(f"/api/dossiers/{reference}/documents/{stored['id']}",
                             headers=officer())
    body = await download.read()
    assert b"SecretCam" not in body and b"hidden comment" not in body
    with Image.open(io.BytesIO(body)) as image:
        assert image.size == (80, 60) and not image.getexif()


@pytest.mark.parametrize(("make", "reason", "status"), [
    (files.renamed_exe, "unsupported_type", 422),
    (files.truncated_png, "damaged", 422),
    (files.pdf_with_javascript, "pdf_active_content", 422),
    (files.pdf_with_escaped_javascript, "pdf_active_content", 422),
    (files.pdf_with_javascript_in_a_stream, "pdf_active_content", 422),
    (files.png_zip_polyglot, "polyglot", 422),
    (files.pdf_zip_polyglot, "polyglot", 422),
    (files.png_bomb, "too_many_pixels", 422),
    (files.thirty_megabytes, "too_large", 413),
    (lambda: b"", "empty", 422),
])
async def test_bad_files_get_a_reason_and_nothing_is_stored(api, make, reason, status):
    reference = await create(api)
    response = await upload(api, reference, make(), name="plan.pdf")
    assert response.status == status, await response.text()
    assert (await response.json()) == {"error": "invalid_document", "reason": reason}
    assert (await listing(api, reference))["attachments"] == []


async def test_the_size_limit_holds_without_a_content_length(api):
    reference = await create(api)

    async def chunks():
        yield b"%PDF-1.4\n"
        for _ in range(30):
            yield bytes(1024 * 1024)

    response = await upload(api, reference, chunks())
    assert response.status == 413
    assert (await listing(api, reference))["attachments"] == []


async def test_the_javascript_in_a_stream_is_not_in_the_raw_bytes():
    data = files.pdf_with_javascript_in_a_stream()
    assert b"JavaScript" not in data  # the test file really hides it
    check_document(files.pdf())  # and the same PDF without it passes


async def test_another_conversation_cannot_add_to_the_dossier(api):
    reference = await create(api, conversation="conv-owner")
    response = await upload(api, reference, files.pdf(), conversation="conv-stranger")
    assert response.status == 404
    unknown = await upload(api, "OVL-2026-ZZZZZZ", files.pdf())
    assert unknown.status == 404
    no_token = await api.post(f"/api/dossiers/{reference}/documents", data=files.pdf(),
                              headers={"X-Conversation-Id": "conv-owner"})
    assert no_token.status == 401
    assert (await listing(api, reference))["attachments"] == []


async def test_a_grant_after_the_e_mail_check_lets_a_later_conversation_add(api):
    reference = await create(api, conversation="conv-first")
    wrong = await api.post(f"/api/dossiers/{reference}/owner-grants",
                           json={"email": "someone@else.be"}, headers=owner("conv-later"))
    assert wrong.status == 404
    granted = await api.post(f"/api/dossiers/{reference}/owner-grants",
                             json={"email": "lotte.verbeke@example.be"},
                             headers=owner("conv-later"))
    assert granted.status == 201
    assert (await upload(api, reference, files.png(), "foto.png", "conv-later")).status == 201
    api.clock.now = NOW + timedelta(hours=3)  # the grant has run out
    late = await upload(api, reference, files.png(), "foto.png", "conv-later")
    assert late.status == 404
    assert len((await listing(api, reference))["attachments"]) == 1


async def test_officers_of_another_counter_neither_list_nor_download(api):
    reference = await create(api)
    stored = await (await upload(api, reference, files.pdf())).json()
    listed = await api.get(f"/api/dossiers/{reference}/documents", headers=officer(AALST_OFFICER))
    assert listed.status == 404
    download = await api.get(f"/api/dossiers/{reference}/documents/{stored['id']}",
                             headers=officer(AALST_OFFICER))
    assert download.status == 404
    anonymous = await api.get(f"/api/dossiers/{reference}/documents/{stored['id']}")
    assert anonymous.status == 401


async def test_a_closed_dossier_takes_no_more_documents(api):
    reference = await create(api)
    for status in ("afgesloten",):
        changed = await api.patch(f"/api/dossiers/{reference}", json={"status": status},
                                  headers=officer())
        assert changed.status == 200
    response = await upload(api, reference, files.pdf())
    assert response.status == 409 and (await response.json())["error"] == "dossier_not_open"


async def test_the_owners_answer_lands_in_the_dossier_and_hands_it_back(api):
    reference = await create(api)
    for status, note in (("in_behandeling", None), ("aanvullende_info_nodig",
                                                    "Hoe breed wordt het terras?")):
        changed = await api.patch(f"/api/dossiers/{reference}",
                                  json={"status": status, "note": note}, headers=officer())
        assert changed.status == 200
    stranger = await api.post(f"/api/dossiers/{reference}/owner-answers",
                              json={"text": "4 meter"}, headers=owner("conv-stranger"))
    assert stranger.status == 404
    answered = await api.post(f"/api/dossiers/{reference}/owner-answers",
                              json={"text": "  Het terras wordt 4 meter breed.  "},
                              headers=owner("conv-owner"))
    assert answered.status == 201, await answered.text()
    assert (await answered.json())["status"] == "in_behandeling"
    details = await (await api.get(f"/api/dossiers/{reference}", headers=officer())).json()
    last = details["history"][-1]
    assert (last["from"], last["to"], last["actor"]) == ("aanvullende_info_nodig",
                                                         "in_behandeling", "owner")
    answers = (await listing(api, reference))["owner_answers"]
    assert [(a["text"], a["history_seq"]) for a in answers] == [
        ("Het terras wordt 4 meter breed.", last["seq"])]
    kinds = sorted(m["kind"] for m in details["owner_mails"])
    assert kinds == ["status", "status", "status", "submitted"]  # the usual status mail
    assert f"{reference}/status/{last['seq']}" in [m["key"] for m in details["owner_mails"]]
    again = await api.post(f"/api/dossiers/{reference}/owner-answers",
                           json={"text": "nog iets"}, headers=owner("conv-owner"))
    assert again.status == 409
    assert (await again.json())["error"] == "not_waiting_for_answer"


async def test_uploads_at_the_same_moment_are_all_kept(api):
    reference = await create(api)
    answers = await asyncio.gather(*(upload(api, reference, files.png(), f"foto {n}.png")
                                     for n in range(8)))
    assert [r.status for r in answers] == [201] * 8
    listed = (await listing(api, reference))["attachments"]
    assert sorted(a["seq"] for a in listed) == list(range(1, 9))


async def test_parallel_uploads_do_not_get_past_the_limit_together(api):
    reference = await create(api)
    for n in range(18):
        assert (await upload(api, reference, files.png(), f"foto {n}.png")).status == 201
    answers = await asyncio.gather(*(upload(api, reference, files.png(), f"laat {n}.png")
                                     for n in range(5)))
    assert sorted(r.status for r in answers) == [201, 201, 409, 409, 409]
    assert len((await listing(api, reference))["attachments"]) == 20


async def test_an_upload_says_which_requested_document_it_is(api):
    reference = await create(api)
    plan = await api.post(f"/api/dossiers/{reference}/documents", data=files.pdf(),
                          headers=owner("conv-owner", **{"X-Document-Name": "plan.pdf",
                                                         "X-Requested-Document": "terrace_plan"}))
    assert plan.status == 201, await plan.text()
    assert (await plan.json())["requested_key"] == "terrace_plan"
    other = await upload(api, reference, files.png(), "foto.png")
    assert (await other.json())["requested_key"] is None
    assert [(a["filename"], a["requested_key"]) for a in (await listing(api, reference))[
        "attachments"]] == [("plan.pdf", "terrace_plan"), ("foto.png", None)]
    status = await api.get(f"/api/dossiers/{reference}/requested-documents",
                           headers=owner("conv-owner"))
    assert status.status == 200
    assert await status.json() == {"reference": reference, "type": "terrasvergunning",
                                   "documents": [
                                       {"key": "terrace_plan", "required": True,
                                        "received": True},
                                       {"key": "location_photo", "required": False,
                                        "received": False}]}


@pytest.mark.parametrize("key", ["sign_design", "plan", "x" * 65, "terrace_plan\u00e9"])
async def test_a_key_the_type_does_not_ask_for_is_a_400_and_nothing_is_stored(api, key):
    reference = await create(api)
    response = await api.post(
        f"/api/dossiers/{reference}/documents", data=files.pdf(),
        headers=owner("conv-owner", **{"X-Document-Name": "plan.pdf",
                                       "X-Requested-Document": quote(key)}))
    assert response.status == 400, await response.text()
    body = await response.json()
    assert body["error"] == "unknown_requested_document"
    if len(key) <= 64:
        assert body["known"] == ["terrace_plan", "location_photo"]
    assert (await listing(api, reference))["attachments"] == []


async def test_only_the_owners_conversation_sees_the_requested_documents(api):
    reference = await create(api)
    response = await api.get(f"/api/dossiers/{reference}/requested-documents",
                             headers=owner("conv-stranger"))
    assert response.status == 404
    assert (await api.get(f"/api/dossiers/{reference}/requested-documents",
                          headers=officer())).status == 401
