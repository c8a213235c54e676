"""Tenant files: schema, clear errors, demo data hygiene and the public holidays."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from bot.catalog import ContentError
from bot.counters import load_tenant
from bot.municipalities import MunicipalityRegistry

# Real sites only: the agencies and the pilot cities' / province's own home pages.
OFFICIAL_HOSTS = {
    "www.vlaio.be",
    "financien.belgium.be",
    "economie.fgov.be",
    "www.rsvz.be",
    "www.favv-afsca.be",
    "www.gegevensbeschermingsautoriteit.be",
    "www.socialsecurity.be",
    "www.aalst.be",
    "www.sint-niklaas.be",
    "stad.gent",
    "www.lokeren.be",
    "www.dendermonde.be",
    "www.mechelen.be",
    "www.hasselt.be",
    "www.turnhout.be",
    "www.antwerpen.be",
    "www.oost-vlaanderen.be",
}
LOCAL_KINDS = {"municipal_counter", "intermunicipal_officer", "province_team"}


def tenant_files(root: Path) -> list[Path]:
    return sorted((root / "content" / "tenants").glob("*.yml"))


@pytest.fixture(scope="module")
def tenant(root):
    return load_tenant(root / "content" / "tenants" / "oost-vlaanderen.yml")


@pytest.fixture(scope="module")
def registry(root):
    return MunicipalityRegistry.from_csv(root / "content" / "reference")


def easter(year: int) -> date:
    """Anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    r = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * r) // 451
    month, day = divmod(h + r - 7 * m + 114, 31)
    return date(year, month, day + 1)


def belgian_holidays(year: int) -> set[date]:
    e = easter(year)
    fixed = [(1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25)]
    return {date(year, m, d) for m, d in fixed} | {e + timedelta(days=n) for n in (1, 39, 50)}


def test_every_tenant_file_loads(root):
    files = tenant_files(root)
    assert files
    for path in files:
        tenant = load_tenant(path)
        assert tenant.default_counter in tenant.counters


def test_public_holidays_2026_and_2027(tenant):
    assert easter(2026) == date(2026, 4, 5) and easter(2027) == date(2027, 3, 28)
    expected = belgian_holidays(2026) | belgian_holidays(2027)
    for counter in tenant.counters:
        assert expected <= counter.closed_days, counter.id
    assert date(2026, 4, 6) in expected and date(2027, 5, 17) in expected  # Easter / Whit Monday


def test_every_nis_code_exists(tenant, registry):
    for counter in tenant.counters:
        for nis in counter.municipalities or ():
            assert registry.get(nis) is not None, (counter.id, nis)


def test_counters_have_the_shape_their_kind_promises(tenant, registry):
    """Invariants of the counter kinds, not the values: officers edit names, members and
    contact data, and this test must keep holding when they do."""
    by_kind: dict[str, list] = {}
    for counter in tenant.counters:
        by_kind.setdefault(counter.kind, []).append(counter)
    for counter in by_kind.get("municipal_counter", []):
        assert len(counter.municipalities or ()) <= 1, counter.id  # one desk, or the fallback
    for counter in by_kind.get("intermunicipal_officer", []):
        members = [registry.get(nis) for nis in counter.municipalities or ()]
        assert len(members) >= 2, counter.id  # shared by several municipalities
        assert len({m.province for m in members}) == 1, counter.id
    assert len(by_kind.get("province_team", [])) >= 1
    assert tenant.default_counter.kind in LOCAL_KINDS
    assert re.fullmatch(r"[A-Z]{2,5}", tenant.reference_prefix)


def test_every_municipality_has_a_local_counter(tenant, registry):
    for municipality in registry.all():
        counter = tenant.local_counter(municipality)
        assert counter is not None, municipality.name
        if municipality.province == "Oost-Vlaanderen":
            assert counter.id != "eigen_gemeente", municipality.name


def test_example_contact_data_is_marked_and_never_invented(tenant):
    for counter in tenant.counters:
        contact = counter.contact
        if counter.kind in LOCAL_KINDS:
            assert contact.phone is None and contact.address is None, counter.id
            if contact.email:
                assert counter.example and contact.email.endswith(".example.be"), counter.id
        for url in (contact.web, contact.appointment_url):
            if url:
                assert urlparse(url).hostname in OFFICIAL_HOSTS, url


def test_example_counters_have_hours_agencies_do_not(tenant):
    for counter in tenant.counters:
        if counter.example:
            assert counter.has_hours, counter.id
        if counter.is_agency:
            assert not counter.has_hours, counter.id  # their own site says when they are reachable


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("default_counter"), "default_counter"),
        (lambda d: d.update(default_counter="nobody"), "'nobody' is not a counter id"),
        (lambda d: d["counters"][0].update(kind="bakery"), "counters/0/kind"),
        (lambda d: d["counters"][0].update(municipalities=["4100"]), "counters/0/municipalities"),
        (
            lambda d: d["counters"][0]["opening_hours"].update(mon=["9:00-12:00"]),
            "counters/0/opening_hours/mon/0",
        ),
        (lambda d: d["counters"][0]["opening_hours"].update(mon=["12:00-09:00"]), "12:00-09:00"),
        (lambda d: d["counters"].append(dict(d["counters"][0])), "duplicate counter ids: aalst"),
        (
            lambda d: d["counters"][0]["contact"].update(web="http://www.aalst.be"),
            "counters/0/contact/web",
        ),
        (lambda d: d.update(public_holidays=["2026-02-30"]), "public_holidays"),
    ],
)
def test_invalid_tenant_gives_a_clear_error(root, tmp_path, change, message):
    data = yaml.safe_load((root / "content" / "tenants" / "oost-vlaanderen.yml").read_text())
    change(data)
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ContentError) as error:
        load_tenant(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_unreadable_tenant_file(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("id: [unclosed")
    with pytest.raises(ContentError, match=r"bad\.yml"):
        load_tenant(path)
