"""The officer-editable knowledge content: schema, catalog completeness and fact hygiene."""

from __future__ import annotations

import csv
import re
from urllib.parse import urlparse

import pytest
import yaml

from bot.catalog import Catalog, ContentError

REQUIRED_TOPICS = {
    "terrasvergunning", "evenementenvergunning", "omgevingsvergunning", "inname_openbaar_domein",
    "reclame_uithangbord", "ambulante_handel", "horeca_uitbating", "sterke_drank", "nachtwinkel",
    "muziek_geluid", "taxi_personenvervoer", "bewakingscamera", "kmo_portefeuille",
    "kmo_groeisubsidie", "innovatiesteun", "hinderpremie", "financiering_lening", "ecologiesteun",
    "lokale_premies", "overbruggingsrecht", "onderneming_starten", "ondernemingsnummer_kbo",
    "btw_registratie", "sociaal_statuut", "personeel_aanwerven", "gdpr_privacy",
    "voedselveiligheid_favv", "handelshuur", "openingsuren_rustdag", "bedrijfsafval",
    "contact_loket", "afspraak_maken",
}
DOSSIER_TYPES = {"terrasvergunning", "evenementenvergunning", "inname_openbaar_domein",
                 "ambulante_handel", "reclame_uithangbord", "horeca_uitbating"}
# Official publishers only: Flemish, federal and EU government domains and the cities' own sites.
OFFICIAL_SUFFIXES = (".vlaanderen.be", "vlaanderen.be", "vlaio.be", ".fgov.be", "belgium.be",
                     "favv-afsca.be", "socialsecurity.be", "rsvz.be", "inasti.be", "ovam.be",
                     "gegevensbeschermingsautoriteit.be", "wegenenverkeer.be", "pmv.eu",
                     "vlaamsenergieenklimaatagentschap.be", "kbopub.economie.fgov.be",
                     "politie.be", "besafe.be", "europa.eu", "omgeving.vlaanderen.be",
                     "werk.belgie.be", "onss.be", "rsz.be", "dimona.be", "fsma.be", "vvsg.be")
# Amounts, percentages and phone numbers must never be written in answers (they change, and
# invented ones mislead); the counter or the linked source gives them.
FORBIDDEN = re.compile(r"(€|\beuro\b|\d+\s?%|\bprocent\b|\b0\d{1,2}[ /.]?\d{2,3}[ /.]?\d{2}\b)",
                       re.IGNORECASE)


@pytest.fixture(scope="module")
def catalog(root):
    return Catalog.load(root / "content" / "topics")


@pytest.fixture(scope="module")
def nis_codes(root):
    with (root / "content" / "reference" / "municipalities.csv").open(encoding="utf-8") as fh:
        return {row["nis"] for row in csv.DictReader(fh)}


def test_every_catalog_topic_has_content(catalog):
    assert REQUIRED_TOPICS <= set(catalog.ids())


def test_invalid_content_is_rejected_with_the_file_name(tmp_path, root):
    (tmp_path / "kapot.yml").write_text("id: kapot\ntitle: X\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"kapot\.yml"):
        Catalog.load(tmp_path)


def test_sources_are_official_https_pages(catalog, root):
    city_sites = {f"{name}.be" for name in ("mechelen", "sint-niklaas", "aalst", "hasselt",
                                            "turnhout", "antwerpen", "gent")}
    for topic_id in catalog.ids():
        topic = catalog.get(topic_id)
        urls = [s.url for s in topic.sources]
        urls += [s.url for o in topic.overrides.values() for s in o.sources]
        for url in urls:
            host = urlparse(url).hostname or ""
            host = host.removeprefix("www.")
            assert host.endswith(OFFICIAL_SUFFIXES) or host in city_sites, (topic_id, url)


def test_answers_contain_no_amounts_percentages_or_phone_numbers(catalog):
    for topic_id in catalog.ids():
        topic = catalog.get(topic_id)
        texts = [topic.answer, *topic.how_to_apply, *topic.what_to_prepare]
        texts += [o.answer for o in topic.overrides.values()]
        for text in texts:
            assert not FORBIDDEN.search(text), (topic_id, FORBIDDEN.search(text).group(0))


def forbidden_in(value, where: str) -> list[tuple[str, str]]:
    """(where, match) for every text in a nested YAML value that states a forbidden fact."""
    if isinstance(value, str):
        found = FORBIDDEN.search(value)
        return [(where, found.group(0))] if found else []
    if isinstance(value, dict):
        return [hit for key, item in value.items() for hit in forbidden_in(item, f"{where}/{key}")]
    if isinstance(value, list):
        return [hit for i, item in enumerate(value) for hit in forbidden_in(item, f"{where}/{i}")]
    return []


def imported_text_problems(data: dict) -> list[tuple[str, str]]:
    """Imported catalogue text follows the same rule; a cost may state an amount only as a
    quote of the catalogue with its source, never in the answer."""
    details = dict(data.get("details") or {})
    costs = details.pop("costs", []) or []
    problems = forbidden_in(data.get("override"), "override") + forbidden_in(details, "details")
    for i, cost in enumerate(costs):
        if not (isinstance(cost, dict) and set(cost) == {"quote", "source"}
                and str(cost["source"]).startswith(("https://", "http://"))):
            problems.append((f"details/costs/{i}", "cost without quote and source"))
    return problems


def test_imported_catalogue_text_contains_no_amounts_percentages_or_phone_numbers(root, tmp_path):
    from datetime import date

    from bot.ipdc.__main__ import main as ipdc

    files = sorted((root / "content" / "imports").rglob("*.yml"))
    assert ipdc(["import", "--dir", str(root / "tests" / "fixtures" / "ipdc"),
                 "--out", str(tmp_path), "--today", date.today().isoformat()]) == 0
    files += sorted(tmp_path.rglob("*.yml"))
    assert any(tmp_path in path.parents for path in files)
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert imported_text_problems(data) == [], path


def test_the_imported_text_check_catches_an_amount_outside_a_quote():
    data = {"override": {"answer": "Een terras kost 12 euro per jaar."},
            "details": {"description": "Bel 053 12 34 56.", "costs": [{"quote": "€ 12"}]}}
    assert {where for where, _ in imported_text_problems(data)} == {
        "override/answer", "details/description", "details/costs/0"}


def test_related_topics_and_dossier_types_exist(catalog):
    for topic_id in catalog.ids():
        topic = catalog.get(topic_id)
        assert set(topic.related) <= set(catalog.ids()), topic_id
        assert topic.dossier_type in DOSSIER_TYPES | {None}, topic_id


def test_overrides_are_for_real_municipalities_and_marked_as_examples(catalog, nis_codes):
    overridden = 0
    for topic_id in catalog.ids():
        for nis, override in catalog.get(topic_id).overrides.items():
            assert nis in nis_codes, (topic_id, nis)
            if override.origin == "ipdc":
                continue  # an approved catalogue import is the municipality's own real data
            assert override.example, f"{topic_id}/{nis}: pilot content must be marked example"
            overridden += 1
    assert overridden >= 3


def test_local_override_extends_the_general_answer(catalog):
    topic = catalog.get("terrasvergunning")
    nis = next(iter(topic.overrides))
    local = topic.answer_for(nis)
    general = topic.answer_for(None)
    assert local.localized and local.text.startswith(general.text)
    assert len(local.sources) >= len(general.sources)
    assert not general.localized
