"""The dossier pages of the officer console against a real dossier service: list, filters,
search, Dutch labels, status changes (two officers at once), assignment, internal notes, CSV,
audit, CSRF, counters."""

from __future__ import annotations

import csv
import io
import re

import aiohttp
import pytest

from bot.backoffice.exports import safe_cell
from tests.backoffice.conftest import AALST, CSRF_RE, GENT, Stack, web_app
from tests.bot.dossier_fixtures import SERVICE_TOKEN, submission
from tests.bot.handoff.conftest import PASSWORD, FakeRasa

XSS = '<script>alert("x")</script>'
NOTICE = re.compile(r'<p class="notice notice--(\w+)" role="status">([^<]*)</p>')


def notice(html: str) -> tuple[str, str] | None:
    found = NOTICE.search(html)
    return (found.group(1), found.group(2)) if found else None


async def page(stack: Stack, path: str) -> str:
    response = await stack.web.get(path)
    assert response.status == 200, await response.text()
    return await response.text()



async def owner_view(stack, reference: str):  # type: ignore[no-untyped-def]
    """What the owner sees of a dossier: the chat's status lookup (POST, e-mail in the body)."""
    return await stack.service.post(
        f"/api/dossiers/{reference}/owner-lookup",
        json={"email": submission()["applicant"]["email"]},
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}",
                 "X-Conversation-Id": "backoffice-test"})


async def test_the_dossier_pages_need_a_log_in(stack):
    reference = await stack.submit()
    for path in ("/officer/dossiers", f"/officer/dossiers/{reference}",
                 "/officer/dossiers/export.csv"):
        response = await stack.web.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/officer/login"
    response = await stack.web.post(f"/officer/dossiers/{reference}/notes", data={"text": "x"})
    assert response.status == 401


async def test_the_list_shows_the_officers_counters_newest_first_with_counts(stack):
    first = await stack.submit()
    second = await stack.submit(applicant={**submission()["applicant"], "name": "Jan Janssens"})
    await stack.submit(counter=AALST, applicant={**submission()["applicant"],
                                                 "name": "Marie Aalsters"})
    await stack.login("sofie")
    html = await page(stack, "/officer/dossiers")
    assert html.index(second) < html.index(first)
    assert "Marie Aalsters" not in html
    assert "Jan Janssens" in html and "Lotte Verbeke" in html
    assert "Terras" in html and "Gent" in html and "net binnen" in html
    assert re.search(r"Ontvangen <strong>2</strong>", html)
    assert re.search(r"In behandeling <strong>0</strong>", html)
    assert "2 dossiers gevonden." in html
    searched = await page(stack, "/officer/dossiers?q=janssens")
    assert second in searched and first not in searched
    by_number = await page(stack, "/officer/dossiers?q=0403.170.701")
    assert first in by_number and second in by_number
    none = await page(stack, "/officer/dossiers?status=goedgekeurd")
    assert "Er zijn geen dossiers" in none
    # malformed filters are dropped, not sent on
    assert first in await page(stack, "/officer/dossiers?from=gisteren&municipality=x")
    assert ("dossiers_listed", "q=janssens") in await stack.audit()


async def test_an_officer_of_two_counters_sees_both(stack):
    gent, aalst = await stack.submit(), await stack.submit(counter=AALST)
    await stack.login("jan")
    html = await page(stack, "/officer/dossiers")
    assert gent in html and aalst in html


async def test_the_dossier_page_labels_every_field_in_dutch(stack):
    reference = await stack.submit(conversation_id="conv-terras")
    stack.rasa.trackers["conv-terras"] = {"events": [
        {"event": "user", "text": "Ik wil een terras aanvragen", "timestamp": 1_795_428_000},
        {"event": "bot", "text": "Goed, dan stel ik samen met jou een aanvraag op.",
         "timestamp": 1_795_428_001}], "slots": {}}
    await stack.login("sofie")
    html = await page(stack, f"/officer/dossiers/{reference}")
    for label, value in (("Naam van de zaak", "Café De Hoek"),
                         ("Adres", "Voorbeeldstraat 1, 9000 Gent"),
                         ("Periode", "van 1 april 2027 tot en met 30 september 2027"),
                         ("Oppervlakte", "18,5 m²"), ("Extra uitleg", "(niet ingevuld)"),
                         ("Aanvrager", "Lotte Verbeke"), ("Ondernemingsnummer", "0403.170.701"),
                         ("E-mail", "Lotte.Verbeke@example.be"), ("Gemeente", "Gent")):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in html.replace("&#x27;", "'"), label
    assert "business_name" not in html and "dossier_" not in html
    assert "Ondernemersloket Gent" not in html  # this test's counter is not in the tenant
    assert "Ik wil een terras aanvragen" in html and "Ondernemer" in html
    assert "Ingediend" in html and "de assistent (ingediend door de ondernemer)" in html
    for button in ("In behandeling nemen", "Afsluiten"):
        assert button in html
    assert "Goedkeuren" not in html  # not allowed from "received"
    assert ("dossier_viewed", reference) in await stack.audit()


async def test_the_counter_is_named_as_in_the_tenant_file(stack):
    reference = await stack.submit(counter="gent")
    from tests.bot.handoff.web_helpers import hub

    await hub(stack.web).officers.create("greet", PASSWORD, ["gent"], display_name="Greet")
    await stack.login("greet")
    assert "Ondernemersloket Gent" in await page(stack, f"/officer/dossiers/{reference}")


async def test_the_transcript_is_optional(stack):
    reference = await stack.submit(conversation_id="conv-weg")
    stack.rasa.down = True
    await stack.login("sofie")
    html = await page(stack, f"/officer/dossiers/{reference}")
    assert "Het gesprek kan nu niet geladen worden" in html
    assert "Café De Hoek" in html


async def test_owner_text_is_escaped_everywhere(stack):
    reference = await stack.submit(fields={**submission()["fields"], "business_name": XSS},
                                   applicant={**submission()["applicant"], "name": "Jan Peeters"})
    csrf = await stack.login("sofie")
    await stack.web.post(f"/officer/dossiers/{reference}/notes",
                         data={"csrf": csrf, "text": XSS})
    for path in ("/officer/dossiers?q=" + reference, f"/officer/dossiers/{reference}"):
        html = await page(stack, path)
        assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


async def test_another_counters_dossier_is_not_found_and_cannot_be_changed(stack):
    reference = await stack.submit(counter=AALST)
    csrf = await stack.login("sofie")
    assert (await stack.web.get(f"/officer/dossiers/{reference}")).status == 404
    for action, data in (("status", {"status": "in_behandeling", "version": "1"}),
                         ("notes", {"text": "hallo"}), ("assign", {"officer": "1"})):
        response = await stack.web.post(f"/officer/dossiers/{reference}/{action}",
                                        data={"csrf": csrf, **data}, allow_redirects=False)
        assert response.status == 404, action
    shown = await owner_view(stack, reference)
    assert shown.status == 200
    assert (await shown.json())["status"] == "received"


async def test_posts_need_the_sessions_csrf_token(stack):
    reference = await stack.submit()
    await stack.login("sofie")
    for data in ({}, {"csrf": "wrong"}):
        response = await stack.web.post(f"/officer/dossiers/{reference}/status",
                                        data={**data, "status": "in_behandeling", "version": "1"})
        assert response.status == 403


async def test_a_status_change_carries_a_note_to_the_owner_and_is_recorded(stack):
    reference = await stack.submit()
    csrf = await stack.login("sofie")
    response = await stack.web.post(f"/officer/dossiers/{reference}/status", data={
        "csrf": csrf, "status": "in_behandeling", "version": "1",
        "note": "We bekijken je aanvraag deze week."})
    html = await response.text()
    assert notice(html) == ("info", "De status is gewijzigd. De ondernemer krijgt je bericht.")
    assert "Ontvangen → In behandeling" in html and "Sofie Claes" in html
    assert "We bekijken je aanvraag deze week." in html
    assert "Goedkeuren" in html and "Aanvullende info vragen" in html
    assert ("dossier_status_changed", f"{reference}: in_behandeling") in await stack.audit()
    # asking for more information needs the question itself
    csrf_now = CSRF_RE.search(html).group(1)  # type: ignore[union-attr]
    refused = await stack.web.post(f"/officer/dossiers/{reference}/status", data={
        "csrf": csrf_now, "status": "aanvullende_info_nodig", "version": "2", "note": " "})
    assert notice(await refused.text())[0] == "error"  # type: ignore[index]
    assert "bij aanvullende info en bij een weigering is een bericht verplicht" in \
        await refused.text()


async def test_two_officers_changing_at_once_one_wins_the_other_is_told(stack):
    reference = await stack.submit()
    csrf_sofie = await stack.login("sofie")
    async with aiohttp.ClientSession(base_url=stack.web.make_url(""),
                                     cookie_jar=aiohttp.CookieJar(unsafe=True)) as jan:
        login_page = await (await jan.get("/officer/login")).text()
        token = CSRF_RE.search(login_page).group(1)  # type: ignore[union-attr]
        await jan.post("/officer/login", data={"csrf": token, "name": "jan",
                                               "password": PASSWORD})
        jan_page = await (await jan.get(f"/officer/dossiers/{reference}")).text()
        csrf_jan = CSRF_RE.search(jan_page).group(1)  # type: ignore[union-attr]
        # both opened the page at version 1; Sofie takes it in, then Jan closes it
        first = await stack.web.post(f"/officer/dossiers/{reference}/status", data={
            "csrf": csrf_sofie, "status": "in_behandeling", "version": "1"})
        assert notice(await first.text())[0] == "info"  # type: ignore[index]
        second = await jan.post(f"/officer/dossiers/{reference}/status", data={
            "csrf": csrf_jan, "status": "afgesloten", "version": "1", "note": "Dubbel."})
        html = await second.text()
    assert notice(html) == ("error", "Een collega heeft dit dossier net gewijzigd. Jouw "
                            "wijziging is niet bewaard: bekijk hieronder de nieuwe toestand en "
                            "probeer opnieuw als het nog nodig is.")
    assert "<strong>In behandeling</strong>" in html
    assert ("dossier_status_conflict", f"{reference}: afgesloten") in await stack.audit()


async def test_assigning_to_an_officer_of_the_counter_only(stack):
    reference = await stack.submit()
    csrf = await stack.login("sofie")
    html = await page(stack, f"/officer/dossiers/{reference}")
    assert "Jan Peeters" in html and "Piet Aerts" not in html  # Piet works for Aalst only
    jan = await _officer_id(stack, "jan")
    piet = await _officer_id(stack, "piet")
    wrong = await stack.web.post(f"/officer/dossiers/{reference}/assign",
                                 data={"csrf": csrf, "officer": str(piet)})
    assert "alleen toewijzen aan een medewerker van het loket" in await wrong.text()
    done = await stack.web.post(f"/officer/dossiers/{reference}/assign",
                                data={"csrf": csrf, "officer": str(jan)})
    html = await done.text()
    assert "Toegewezen aan Jan Peeters." in html
    assert f'<option value="{jan}" selected>' in html
    assert "Jan Peeters" in await page(stack, "/officer/dossiers")
    assert ("dossier_assigned", f"{reference} -> {jan}") in await stack.audit()
    cleared = await stack.web.post(f"/officer/dossiers/{reference}/assign",
                                   data={"csrf": csrf, "officer": ""})
    assert "Nog niet toegewezen." in await cleared.text()


async def _officer_id(stack: Stack, name: str) -> int:
    from tests.bot.handoff.web_helpers import hub

    officer = await hub(stack.web).officers.by_name(name)
    assert officer is not None
    return officer.id


async def test_internal_notes_are_kept_and_never_reach_the_owner(stack):
    reference = await stack.submit()
    csrf = await stack.login("sofie")
    response = await stack.web.post(f"/officer/dossiers/{reference}/notes", data={
        "csrf": csrf, "text": "Eerst navragen bij de dienst mobiliteit."})
    html = await response.text()
    assert "Je interne notitie is bewaard." in html
    assert "Eerst navragen bij de dienst mobiliteit." in html
    owner = await owner_view(stack, reference)
    assert owner.status == 200 and reference in await owner.text()
    assert "mobiliteit" not in await owner.text()
    empty = await stack.web.post(f"/officer/dossiers/{reference}/notes",
                                 data={"csrf": csrf, "text": "  "})
    assert "Je notitie is leeg." in await empty.text()
    assert ("dossier_note_added", reference) in await stack.audit()


async def test_the_csv_export_has_the_filtered_list_and_no_formulas(stack):
    reference = await stack.submit(applicant={**submission()["applicant"],
                                              "name": "Jan Peeters"},
                                   fields={**submission()["fields"],
                                           "business_name": "=HYPERLINK(\"x\")"})
    await stack.submit(counter=AALST)
    await stack.login("sofie")
    response = await stack.web.get("/officer/dossiers/export.csv?status=received")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="dossiers-')
    body = (await response.read()).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:5] == ["Referentie", "Soort", "Gemeente", "Loket", "Aanvrager"]
    assert len(rows) == 2 and rows[1][0] == reference and rows[1][4] == "Jan Peeters"
    assert rows[1][9] == "Ontvangen"
    assert ("dossiers_exported", "1 dossiers; status=received") in await stack.audit()


def test_cells_that_look_like_formulas_stay_text():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("-2") == "'-2" and safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("Café De Hoek") == "Café De Hoek" and safe_cell(None) == ""


@pytest.mark.parametrize("tokens", ['{"%s": ["gent-economie"]}' % ("t" * 30), "", "geen json"])
async def test_without_an_all_counter_token_the_pages_say_so(aiohttp_client, monkeypatch,
                                                             tmp_path, tokens):
    client = await web_app(aiohttp_client, monkeypatch, tmp_path, "http://127.0.0.1:9",
                           FakeRasa(), tokens)
    from tests.bot.handoff.web_helpers import login

    await login(client, "sofie")
    response = await client.get("/officer/dossiers")
    assert response.status == 503
    assert "De dossierdienst is niet ingesteld" in await response.text()


async def test_a_dossier_service_that_is_down_gets_a_clear_message(aiohttp_client, monkeypatch,
                                                                   tmp_path):
    tokens = '{"%s": ["*"]}' % ("t" * 30)
    client = await web_app(aiohttp_client, monkeypatch, tmp_path, "http://127.0.0.1:9",
                           FakeRasa(), tokens)
    from tests.bot.handoff.web_helpers import login

    await login(client, "sofie")
    response = await client.get("/officer/dossiers")
    assert response.status == 503
    assert "De dossierdienst is nu niet bereikbaar" in await response.text()
    assert GENT  # the counters are the officers' own; nothing else is reachable


async def test_the_officer_sees_whether_the_owner_was_mailed(stack):
    reference = await stack.submit()
    csrf = await stack.login("sofie")
    html = await page(stack, f"/officer/dossiers/{reference}")
    # no mail worker in this stack: the confirmation waits in the outbox
    assert f"Je aanvraag {reference} is goed ontvangen" in html
    assert "wacht om verstuurd te worden" in html
    await stack.web.post(f"/officer/dossiers/{reference}/status", data={
        "csrf": csrf, "status": "in_behandeling", "version": "1"})
    html = await page(stack, f"/officer/dossiers/{reference}")
    assert f"Je aanvraag {reference}: in behandeling" in html
