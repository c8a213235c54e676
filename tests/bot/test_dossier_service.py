"""The dossier service over HTTP, on SQLite and on PostgreSQL (same tests, same schema)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from itertools import chain, repeat

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.dossiers.models import NewDossier
from bot.dossiers.references import ALPHABET, REFERENCE
from bot.dossiers.service.app import DESK, create_dossier_app
from bot.dossiers.service.config import ConfigError, config_from_env
from bot.dossiers.service.migrations import load_migrations
from bot.dossiers.service.storage import StaleStatus
from tests.bot.dossier_fixtures import (
    AALST_OFFICER,
    BACKENDS,
    GENT_OFFICER,
    OFFICERS,
    SERVICE_TOKEN,
    free_port,
    open_storage,
    submission,
)
from tests.conftest import ROOT

NOW = datetime(2026, 11, 23, 10, 30, tzinfo=timezone.utc)
AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def key_headers(key: str = "key-0001-abcdef") -> dict[str, str]:
    return {**AUTH, "Idempotency-Key": key}


async def owner_lookup(api: TestClient, reference: str, email: str,
                       auth: dict[str, str] = AUTH) -> aiohttp.ClientResponse:
    return await api.post(f"/api/dossiers/{reference}/owner-lookup", json={"email": email},
                          headers={**auth, "X-Conversation-Id": "test-conversation"})


def officer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(params=BACKENDS)
async def storage(request, tmp_path):
    async with open_storage(request.param, tmp_path) as opened:
        yield opened


async def start(storage, **options) -> TestClient:
    app = create_dossier_app(storage, OFFICERS, service_token=SERVICE_TOKEN,
                             clock=lambda: NOW, **options)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def api(storage):
    client = await start(storage)
    yield client
    await client.close()


async def create(api: TestClient, key: str = "key-0001-abcdef", **overrides) -> dict:
    response = await api.post("/api/dossiers", json=submission(**overrides),
                              headers=key_headers(key))
    assert response.status == 201, await response.text()
    return await response.json()


async def test_health(api):
    response = await api.get("/health")
    assert response.status == 200
    assert (await response.json()) == {"status": "ok"}


async def test_ready_only_while_the_store_answers(api, monkeypatch):
    assert (await api.get("/ready")).status == 200

    async def down() -> None:
        raise OSError("database gone")

    monkeypatch.setattr(api.server.app[DESK].storage, "ping", down)
    response = await api.get("/ready")
    assert response.status == 503
    assert (await response.json())["error"] == "storage_unavailable"


async def test_create_returns_a_readable_reference_and_the_dossier_status(api):
    response = await api.post("/api/dossiers", json=submission(), headers=key_headers())
    body = await response.json()
    assert response.status == 201
    assert REFERENCE.fullmatch(body["reference"])
    assert body["reference"].startswith("OVL-2026-")
    assert not set(body["reference"][9:]) & set("0O1IL")
    assert body["status"] == "received"
    assert body["type"] == "terrasvergunning" and body["counter"] == "gent-economie"
    assert body["municipality"] == {"nis": "44021", "name": "Gent"}
    assert "applicant" not in body  # no personal data echoed
    assert response.headers["Location"] == f"/api/dossiers/{body['reference']}"
    assert response.headers["Cache-Control"] == "no-store"


async def test_the_same_idempotency_key_never_creates_a_second_dossier(api, storage):
    first = await create(api)
    again = await api.post("/api/dossiers", json=submission(), headers=key_headers())
    assert again.status == 200
    assert (await again.json())["reference"] == first["reference"]
    assert len(await storage.list_for_counter("gent-economie")) == 1


async def test_concurrent_retries_with_one_key_make_exactly_one_dossier(api, storage):
    payload = submission()
    responses = await asyncio.gather(*[
        api.post("/api/dossiers", json=payload, headers=key_headers("same-key-123456"))
        for _ in range(12)])
    statuses = sorted(r.status for r in responses)
    references = {(await r.json())["reference"] for r in responses}
    assert statuses == [200] * 11 + [201]
    assert len(references) == 1
    assert len(await storage.list_for_counter("gent-economie")) == 1


async def test_different_keys_make_different_dossiers(api, storage):
    first = await create(api, "key-a-123456789")
    second = await create(api, "key-b-123456789")
    assert first["reference"] != second["reference"]
    assert len(await storage.list_for_counter("gent-economie")) == 2


async def test_a_key_reused_for_other_content_is_refused(api):
    await create(api)
    other = submission(fields={**submission()["fields"], "surface": 40})
    response = await api.post("/api/dossiers", json=other, headers=key_headers())
    assert response.status == 422
    assert (await response.json())["error"] == "idempotency_key_reused"


@pytest.mark.parametrize("headers", [
    {"Idempotency-Key": "key-0001-abcdef"},
    {"Idempotency-Key": "key-0001-abcdef", "Authorization": "Bearer wrong-token-0123456789"},
    {"Idempotency-Key": "key-0001-abcdef", "Authorization": f"Bearer {GENT_OFFICER}"},
])
async def test_creating_needs_the_service_token(api, storage, headers):
    response = await api.post("/api/dossiers", json=submission(), headers=headers)
    assert response.status == 401
    assert await storage.list_for_counter("gent-economie") == []


async def test_creating_needs_an_idempotency_key(api, storage):
    response = await api.post("/api/dossiers", json=submission(), headers=AUTH)
    assert response.status == 400
    assert (await response.json())["error"] == "idempotency_key_required"
    assert await storage.list_for_counter("gent-economie") == []


async def test_invalid_submissions_list_every_problem(api, storage):
    payload = submission(applicant={"name": "Lotte", "email": "lotte@", "phone": "123",
                                    "enterprise_number": "0403.170.702"},
                         fields={"address": "Voorbeeldstraat 1", "surface": -2, "kleur": "rood",
                                 "period": {"start": "2027-09-30", "end": "2027-04-01"}})
    response = await api.post("/api/dossiers", json=payload, headers=key_headers())
    assert response.status == 422
    body = await response.json()
    problems = {(e["field"], e["code"]) for e in body["details"]}
    assert problems == {
        ("applicant.email", "email_domain"), ("applicant.phone", "phone_format"),
        ("applicant.enterprise_number", "enterprise_number_checksum"),
        ("fields.business_name", "required"), ("fields.surface", "surface_invalid"),
        ("fields.kleur", "unknown_field"), ("fields.period", "period_end_before_start"),
    }
    assert await storage.list_for_counter("gent-economie") == []


async def test_a_terrace_needs_an_enterprise_number_but_an_event_does_not(api):
    applicant = {"name": "Lotte Verbeke", "email": "lotte@example.be"}
    response = await api.post("/api/dossiers", json=submission(applicant=applicant),
                              headers=key_headers())
    assert response.status == 422
    assert {"field": "applicant.enterprise_number", "code": "required"} in (
        await response.json())["details"]
    event = submission(type="evenementenvergunning", applicant=applicant, fields={
        "event_name": "Buurtfeest", "location": "Marktplein", "expected_visitors": 300,
        "period": {"start": "2027-06-12", "end": "2027-06-13"}})
    assert (await api.post("/api/dossiers", json=event, headers=key_headers("k-event-1234"))
            ).status == 201


async def test_broken_json_is_a_400(api):
    response = await api.post("/api/dossiers", data=b"{not json", headers=key_headers())
    assert response.status == 400


async def test_the_owner_sees_the_status_with_the_right_email_only(api):
    reference = (await create(api))["reference"]
    ok = await owner_lookup(api, reference, "lotte.verbeke@EXAMPLE.be")
    assert ok.status == 200
    body = await ok.json()
    assert body["status"] == "received" and body["reference"] == reference
    assert "applicant" not in body and "fields" not in body
    wrong_email = await owner_lookup(api, reference, "iemand@example.be")
    unknown = await owner_lookup(api, "OVL-2026-ZZZZZZ", "lotte.verbeke@example.be")
    garbage = await owner_lookup(api, "whatever", "lotte.verbeke@example.be")
    assert wrong_email.status == unknown.status == garbage.status == 404
    assert await wrong_email.text() == await unknown.text() == await garbage.text()


async def test_owner_lookups_are_rate_limited_per_client(storage):
    api = await start(storage, lookup_limit=3)
    try:
        for _ in range(3):
            response = await owner_lookup(api, "OVL-2026-ZZZZZZ", "a@b.be", auth={})
            assert response.status == 404
        blocked = await owner_lookup(api, "OVL-2026-ZZZZZZ", "a@b.be", auth={})
        assert blocked.status == 429
        assert int(blocked.headers["Retry-After"]) >= 1
    finally:
        await api.close()


async def test_officers_list_their_own_counter_only(api):
    reference = (await create(api))["reference"]
    own = await api.get("/api/counters/gent-economie/dossiers", headers=officer(GENT_OFFICER))
    assert own.status == 200
    dossiers = (await own.json())["dossiers"]
    assert [d["reference"] for d in dossiers] == [reference]
    assert dossiers[0]["applicant"]["email"] == "Lotte.Verbeke@example.be"
    other = await api.get("/api/counters/gent-economie/dossiers", headers=officer(AALST_OFFICER))
    assert other.status == 403
    anonymous = await api.get("/api/counters/gent-economie/dossiers")
    assert anonymous.status == 401
    service = await api.get("/api/counters/gent-economie/dossiers", headers=AUTH)
    assert service.status == 401


async def test_an_officer_cannot_see_or_change_another_counters_dossier(api):
    reference = (await create(api))["reference"]
    seen = await api.get(f"/api/dossiers/{reference}", headers=officer(AALST_OFFICER))
    changed = await api.patch(f"/api/dossiers/{reference}", json={"status": "in_behandeling"},
                              headers=officer(AALST_OFFICER))
    assert seen.status == changed.status == 404
    mine = await api.get(f"/api/dossiers/{reference}", headers=officer(GENT_OFFICER))
    assert mine.status == 200 and (await mine.json())["status"] == "received"


async def test_status_changes_follow_the_workflow_and_are_recorded(api):
    reference = (await create(api))["reference"]
    path, gent = f"/api/dossiers/{reference}", officer(GENT_OFFICER)
    skip = await api.patch(path, json={"status": "goedgekeurd"}, headers=gent)
    assert skip.status == 409
    assert (await skip.json())["allowed"] == ["afgesloten", "in_behandeling"]
    for status in ("in_behandeling", "aanvullende_info_nodig", "in_behandeling", "goedgekeurd"):
        response = await api.patch(path, json={"status": status, "note": "ok"}, headers=gent)
        assert response.status == 200, await response.text()
        assert (await response.json())["status"] == status
    back = await api.patch(path, json={"status": "in_behandeling"}, headers=gent)
    assert back.status == 409
    assert (await api.patch(path, json={"status": "bijna"}, headers=gent)).status == 422
    owner = await owner_lookup(api, reference, "lotte.verbeke@example.be")
    assert (await owner.json())["status"] == "goedgekeurd"
    history = (await (await api.get(path, headers=gent)).json())["history"]
    assert [(h["from"], h["to"]) for h in history] == [
        (None, "received"), ("received", "in_behandeling"),
        ("in_behandeling", "aanvullende_info_nodig"), ("aanvullende_info_nodig", "in_behandeling"),
        ("in_behandeling", "goedgekeurd")]
    assert [h["actor"] for h in history] == ["service"] + ["an.gent"] * 4
    assert all(h["at"].startswith("2026-11-23T10:30:00") for h in history)


async def test_closed_dossiers_stay_closed(api):
    reference = (await create(api))["reference"]
    path, gent = f"/api/dossiers/{reference}", officer(GENT_OFFICER)
    assert (await api.patch(path, json={"status": "afgesloten"}, headers=gent)).status == 200
    for status in ("received", "in_behandeling", "goedgekeurd"):
        assert (await api.patch(path, json={"status": status}, headers=gent)).status == 409


async def test_a_reference_collision_draws_a_new_reference(storage):
    references = chain(["OVL-2026-AAAAAA", "OVL-2026-AAAAAA"], repeat("OVL-2026-BBBBBB"))
    api = await start(storage, reference_factory=lambda prefix, year: next(references))
    try:
        first = await create(api, "key-first-12345")
        second = await create(api, "key-second-1234")
    finally:
        await api.close()
    assert (first["reference"], second["reference"]) == ("OVL-2026-AAAAAA", "OVL-2026-BBBBBB")


async def test_concurrent_status_changes_let_only_one_win(api, storage):
    reference = (await create(api))["reference"]
    results = await asyncio.gather(*[
        storage.change_status(reference, from_status="received", to_status=target, actor="x",
                              note=None, now=NOW)
        for target in ("in_behandeling", "afgesloten")], return_exceptions=True)
    assert sum(isinstance(r, StaleStatus) for r in results) == 1
    assert len(await storage.history(reference)) == 2


async def test_migrations_are_recorded_and_run_once(storage):
    latest = max(m.version for m in load_migrations())
    assert await storage.migrate() == latest
    assert await storage.migrate() == latest


def test_references_avoid_ambiguous_characters():
    assert not set(ALPHABET) & set("0O1IL")
    from bot.dossiers.references import new_reference, normalise_reference

    samples = {new_reference("OVL", 2026) for _ in range(200)}
    assert len(samples) == 200 and all(REFERENCE.fullmatch(s) for s in samples)
    assert normalise_reference(" ovl-2026-k7m4qx ") == "OVL-2026-K7M4QX"
    assert normalise_reference("OVL-2026-K7M4Q0") is None


def test_dossier_types_match_the_topics_that_offer_a_dossier():
    from bot.dossiers.dossier_types import load_dossier_types

    types = load_dossier_types()
    offered = set()
    for path in (ROOT / "content" / "topics").glob("*.yml"):
        match = re.search(r"^dossier_type: (\S+)$", path.read_text(encoding="utf-8"), re.M)
        if match and match.group(1) != "null":
            offered.add(match.group(1))
    assert offered <= set(types)


def test_new_dossier_is_a_plain_value_object():
    assert NewDossier.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_the_service_refuses_to_start_without_secrets():
    with pytest.raises(ConfigError, match="DOSSIER_SERVICE_TOKEN"):
        config_from_env({"DOSSIER_OFFICER_TOKENS": json.dumps(OFFICERS)})
    with pytest.raises(ConfigError, match="DOSSIER_OFFICER_TOKENS"):
        config_from_env({"DOSSIER_SERVICE_TOKEN": SERVICE_TOKEN})
    with pytest.raises(ConfigError, match="JSON"):
        config_from_env({"DOSSIER_SERVICE_TOKEN": SERVICE_TOKEN, "DOSSIER_OFFICER_TOKENS": "{"})
    with pytest.raises(ConfigError, match="16"):
        config_from_env({"DOSSIER_SERVICE_TOKEN": "short", "DOSSIER_OFFICER_TOKENS": "{}"})
    config = config_from_env({"DOSSIER_SERVICE_TOKEN": SERVICE_TOKEN,
                              "DOSSIER_OFFICER_TOKENS": json.dumps(OFFICERS)})
    assert config.db_url == "sqlite:///var/dossiers.sqlite3" and not config.generated


def _cli_env(tmp_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    return {**env, "DOSSIER_DB_URL": f"sqlite:///{tmp_path}/cli.sqlite3", **extra}


def test_cli_exits_with_a_message_when_secrets_are_missing(tmp_path):
    result = subprocess.run([sys.executable, "-m", "bot.dossiers", "serve", "--port",
                             str(free_port())], cwd=ROOT, env=_cli_env(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "DOSSIER_SERVICE_TOKEN" in result.stderr and "--dev" in result.stderr


async def test_cli_dev_mode_generates_tokens_and_serves(tmp_path):
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.dossiers", "serve", "--dev", "--port", str(port),
        cwd=ROOT, env=_cli_env(tmp_path), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        async with aiohttp.ClientSession() as session:
            while True:
                try:
                    async with session.get(f"http://127.0.0.1:{port}/health") as response:
                        assert response.status == 200
                    lookup = f"http://127.0.0.1:{port}/api/dossiers/OVL-2026-ZZZZZZ/owner-lookup"
                    async with session.post(lookup, json={"email": "lotte@example.be"}) as found:
                        assert found.status == 404
                        break
                except aiohttp.ClientConnectionError:
                    assert process.returncode is None, "service exited"
                    assert time.monotonic() < deadline, "service did not start"
                    await asyncio.sleep(0.2)
    finally:
        process.terminate()
        output, _ = await asyncio.wait_for(process.communicate(), timeout=15)
    text = output.decode()
    assert "DOSSIER_SERVICE_TOKEN=" in text and "DOSSIER_OFFICER_TOKENS=" in text
    assert "POST /api/dossiers/OVL-2026-ZZZZZZ/owner-lookup" in text  # access log
    assert "lotte" not in text


async def test_a_horeca_dossier_takes_an_opening_date(api):
    horeca = submission(type="horeca_uitbating", fields={
        "business_name": "Frituur 't Pleintje", "address": "Voorbeeldplein 2, 9300 Aalst",
        "opening_date": "2027-03-01"})
    assert (await api.post("/api/dossiers", json=horeca, headers=key_headers())).status == 201
    horeca["fields"]["opening_date"] = "1 maart"
    response = await api.post("/api/dossiers", json=horeca, headers=key_headers("k-horeca-2"))
    assert response.status == 422
    assert (await response.json())["details"] == [
        {"field": "fields.opening_date", "code": "date_invalid"}]


async def test_the_service_logs_no_personal_data(api, caplog):
    caplog.set_level("INFO", logger="bot.dossiers")
    reference = (await create(api))["reference"]
    await api.patch(f"/api/dossiers/{reference}", json={"status": "in_behandeling"},
                    headers=officer(GENT_OFFICER))
    assert reference in caplog.text
    for secret in ("Lotte", "Verbeke", "example.be", "0470", "0403"):
        assert secret not in caplog.text


# --- the officers' back office: list, search, versions, assignment, internal notes ----------

CONSOLE_TOKEN = "console-token-" + "c" * 24
BACKOFFICE_OFFICERS = {**OFFICERS, CONSOLE_TOKEN: {"officer": "console", "counters": ["*"]}}


def acting(officer_id: str, name: str, counters: str, token: str = CONSOLE_TOKEN) -> dict:
    from urllib.parse import quote

    return {"Authorization": f"Bearer {token}", "X-Acting-Officer": officer_id,
            "X-Acting-Officer-Name": quote(name), "X-Acting-Counters": counters}


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def desk_api(storage):
    clock = Clock()
    app = create_dossier_app(storage, BACKOFFICE_OFFICERS, service_token=SERVICE_TOKEN,
                             clock=clock)
    client = TestClient(TestServer(app))
    await client.start_server()
    client.clock = clock  # type: ignore[attr-defined]
    yield client
    await client.close()


async def test_the_list_filters_searches_and_counts_for_the_officers_counters(desk_api):
    from datetime import timedelta

    gent = acting("console:1", "Sofie Claes", "gent-economie")
    desk_api.clock.now = NOW - timedelta(days=40)
    old = await create(desk_api, "key-old-0000001")
    desk_api.clock.now = NOW
    new = await create(desk_api, "key-new-0000001", applicant={
        **submission()["applicant"], "name": "Jan Peeters"},
        fields={**submission()["fields"], "business_name": "Bistro 100% Zuid"})
    await create(desk_api, "key-aalst-000001", counter="aalst-ondernemersloket")
    await desk_api.patch(f"/api/dossiers/{old['reference']}", json={"status": "in_behandeling"},
                         headers=gent)

    async def listed(**params) -> dict:
        response = await desk_api.get("/api/dossiers", params=params, headers=gent)
        assert response.status == 200, await response.text()
        return await response.json()

    everything = await listed()
    assert [d["reference"] for d in everything["dossiers"]] == [new["reference"],
                                                                 old["reference"]]
    assert everything["total"] == 2
    assert everything["counts"] == {"received": 1, "in_behandeling": 1}
    assert everything["facets"]["municipalities"] == [{"nis": "44021", "name": "Gent"}]
    assert (await listed(status="in_behandeling"))["total"] == 1
    # counts ignore the status filter, so the officer sees what the other tabs hold
    assert (await listed(status="in_behandeling"))["counts"]["received"] == 1
    assert (await listed(q="peeters"))["dossiers"][0]["reference"] == new["reference"]
    assert (await listed(q="100%"))["total"] == 1
    assert (await listed(q="_"))["total"] == 0  # LIKE wildcards are taken literally
    assert (await listed(q=new["reference"].lower()))["total"] == 1
    assert (await listed(q="0403.170.701"))["total"] == 2
    assert (await listed(q="BE 403170701"))["total"] == 2
    recent = await listed(**{"from": "2026-11-01", "to": "2026-11-23"})
    assert [d["reference"] for d in recent["dossiers"]] == [new["reference"]]
    assert (await listed(**{"to": "2026-10-31"}))["total"] == 1
    assert (await listed(type="evenementenvergunning"))["total"] == 0
    assert (await listed(municipality="41002"))["total"] == 0
    page = await listed(limit="1", offset="1")
    assert [d["reference"] for d in page["dossiers"]] == [old["reference"]]
    for bad in ({"status": "x"}, {"from": "gisteren"}, {"municipality": "Gent"},
                {"limit": "veel"}):
        response = await desk_api.get("/api/dossiers", params=bad, headers=gent)
        assert response.status == 400, bad


async def test_acting_headers_only_narrow_access(desk_api):
    reference = (await create(desk_api))["reference"]
    aalst = acting("console:2", "Piet", "aalst-ondernemersloket")
    assert (await (await desk_api.get("/api/dossiers", headers=aalst)).json())["total"] == 0
    assert (await desk_api.get(f"/api/dossiers/{reference}", headers=aalst)).status == 404
    # a counter-limited token can neither widen itself nor speak for someone else
    widened = acting("x", "X", "gent-economie,aalst-ondernemersloket", token=AALST_OFFICER)
    assert (await desk_api.get(f"/api/dossiers/{reference}", headers=widened)).status == 400
    star = acting("x", "X", "*")  # "all counters" cannot be asked for in the headers
    assert (await desk_api.get(f"/api/dossiers/{reference}", headers=star)).status == 400
    bad = {**aalst, "X-Acting-Counters": "Gent Economie"}
    assert (await desk_api.get("/api/dossiers", headers=bad)).status == 400
    assert (await desk_api.get("/api/dossiers", headers=officer(GENT_OFFICER))).status == 200
    assert (await desk_api.get("/api/dossiers", headers=AUTH)).status == 401


async def test_a_change_names_the_version_it_saw_so_one_of_two_officers_wins(desk_api):
    reference = (await create(desk_api))["reference"]
    sofie = acting("console:1", "Sofie Claes", "gent-economie")
    jan = acting("console:3", "Jan", "gent-economie")
    seen = await (await desk_api.get(f"/api/dossiers/{reference}", headers=sofie)).json()
    assert seen["version"] == 1
    first = await desk_api.patch(f"/api/dossiers/{reference}", headers=sofie, json={
        "status": "in_behandeling", "note": "We bekijken je aanvraag.", "expected_version": 1})
    assert first.status == 200 and (await first.json())["version"] == 2
    # Jan saw version 1 too and wants to close: a transition that is allowed from the new
    # status as well, so only the version tells that he decided on an outdated page
    second = await desk_api.patch(f"/api/dossiers/{reference}", headers=jan, json={
        "status": "afgesloten", "expected_version": 1})
    assert second.status == 409
    assert (await second.json())["error"] == "status_changed_concurrently"
    shown = await (await desk_api.get(f"/api/dossiers/{reference}", headers=jan)).json()
    assert shown["status"] == "in_behandeling"
    assert shown["history"][-1]["actor"] == "console:1"
    assert shown["history"][-1]["actor_name"] == "Sofie Claes"
    assert shown["history"][-1]["note"] == "We bekijken je aanvraag."


async def test_concurrent_changes_with_the_same_version_let_only_one_win(desk_api):
    reference = (await create(desk_api))["reference"]
    headers = acting("console:1", "Sofie", "gent-economie")
    responses = await asyncio.gather(*[
        desk_api.patch(f"/api/dossiers/{reference}", headers=headers,
                       json={"status": target, "expected_version": 1})
        for target in ("in_behandeling", "afgesloten", "in_behandeling")])
    assert sorted(r.status for r in responses) == [200, 409, 409]


async def test_assignment_and_internal_notes_stay_with_the_officers(desk_api):
    body = submission()
    reference = (await create(desk_api))["reference"]
    sofie = acting("console:1", "Sofie Claes", "gent-economie")
    assigned = await desk_api.put(f"/api/dossiers/{reference}/assignee", headers=sofie,
                                  json={"id": "console:3", "name": "Jan Peeters"})
    assert assigned.status == 200
    assert (await assigned.json())["assignee"] == {"id": "console:3", "name": "Jan Peeters"}
    note = await desk_api.post(f"/api/dossiers/{reference}/notes", headers=sofie,
                               json={"text": "Eerst navragen bij mobiliteit."})
    assert note.status == 201
    shown = await (await desk_api.get(f"/api/dossiers/{reference}", headers=sofie)).json()
    assert [n["text"] for n in shown["internal_notes"]] == ["Eerst navragen bij mobiliteit."]
    assert shown["internal_notes"][0]["author_name"] == "Sofie Claes"
    owner = await owner_lookup(desk_api, reference, body["applicant"]["email"])
    assert "mobiliteit" not in await owner.text() and "Jan" not in await owner.text()
    cleared = await desk_api.put(f"/api/dossiers/{reference}/assignee", headers=sofie,
                                 json={"id": None})
    assert (await cleared.json())["assignee"] is None
    for bad in ({"text": ""}, {"text": "x" * 4001}, {"tekst": "hallo"}):
        response = await desk_api.post(f"/api/dossiers/{reference}/notes", headers=sofie,
                                       json=bad)
        assert response.status == 422
    aalst = acting("console:2", "Piet", "aalst-ondernemersloket")
    assert (await desk_api.post(f"/api/dossiers/{reference}/notes", headers=aalst,
                                json={"text": "hallo"})).status == 404
    assert (await desk_api.put(f"/api/dossiers/{reference}/assignee", headers=aalst,
                               json={"id": "console:2"})).status == 404


async def test_notes_written_at_the_same_moment_are_all_kept(desk_api):
    reference = (await create(desk_api))["reference"]
    sofie = acting("console:1", "Sofie Claes", "gent-economie")
    responses = await asyncio.gather(*[
        desk_api.post(f"/api/dossiers/{reference}/notes", headers=sofie,
                      json={"text": f"Notitie {n}"}) for n in range(8)])
    assert [r.status for r in responses] == [201] * 8
    shown = await (await desk_api.get(f"/api/dossiers/{reference}", headers=sofie)).json()
    assert sorted(n["text"] for n in shown["internal_notes"]) == [f"Notitie {n}"
                                                                  for n in range(8)]


async def test_dossiers_from_before_the_search_column_get_it_on_migration(desk_api, storage):
    reference = (await create(desk_api))["reference"]
    async with storage.transaction() as tx:
        await tx.execute("UPDATE dossiers SET search_text = NULL")
    await storage.migrate()
    from bot.dossiers.models import DossierFilter

    found, total = await storage.search(DossierFilter(text="verbeke"))
    assert total == 1 and found[0].reference == reference


async def test_the_owner_sees_the_note_of_the_current_status_only(desk_api):
    body = submission()
    reference = (await create(desk_api))["reference"]
    sofie = acting("console:1", "Sofie", "gent-economie")

    async def owner() -> dict:
        response = await owner_lookup(desk_api, reference, body["applicant"]["email"])
        return await response.json()

    assert (await owner())["last_note"] is None
    await desk_api.post(f"/api/dossiers/{reference}/notes", headers=sofie,
                        json={"text": "Intern: eerst bellen."})
    await desk_api.patch(f"/api/dossiers/{reference}", headers=sofie, json={
        "status": "in_behandeling"})
    await desk_api.patch(f"/api/dossiers/{reference}", headers=sofie, json={
        "status": "aanvullende_info_nodig", "note": "  Stuur een plan van het terras.  "})
    assert (await owner())["last_note"] == "Stuur een plan van het terras."
    await desk_api.patch(f"/api/dossiers/{reference}", headers=sofie, json={
        "status": "goedgekeurd"})
    seen = await owner()
    assert seen["status"] == "goedgekeurd" and seen["last_note"] is None
    assert "Intern" not in json.dumps(seen)
