"""One test per fact corrected in issue 17. Each fails on the content before the fix.

They read the topic files as plain YAML (not through the catalog), so they can be run against
an older copy of the content:
`TOPICS_DIR=/path/to/old/topics pytest tests/content/test_corrected_facts.py`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TOPICS = Path(os.environ.get("TOPICS_DIR", ROOT / "content" / "topics"))


def topic(topic_id: str) -> dict:
    return yaml.safe_load((TOPICS / f"{topic_id}.yml").read_text(encoding="utf-8"))


def text(data: dict) -> str:
    return " ".join([data["answer"], *data.get("how_to_apply", []),
                     *data.get("what_to_prepare", [])])


def urls(data: dict) -> list[str]:
    return [s["url"] for s in data["sources"]]


def bare(url: str) -> bool:
    return urlparse(url).path in ("", "/", "/nl", "/nl/")


def test_opening_hours_are_a_federal_law_with_area_wide_exceptions():
    data = topic("openingsuren_rustdag")
    assert data["competent_authority"]["level"] == "federaal"
    assert "10 november 2006" in data["answer"] and "FOD Economie" in data["answer"]
    assert "voor een heel gebied" in data["answer"]
    assert "drie maanden" in data["answer"]  # minimum period of a chosen rest day (VLAIO)
    assert any(u.endswith("/openingsuren-en-wekelijkse-rustdag") for u in urls(data))


def test_drink_permit_is_only_a_morality_check_since_20_may_2024():
    data = topic("sterke_drank")
    assert "20 mei 2024" in data["answer"] and "moraliteit" in data["answer"]
    assert "26 april 2024" in data["answer"]
    assert not re.search(r"controleert[^.]*hygiëne", data["answer"])
    assert not any(bare(u) for u in urls(data))


def test_kmo_portefeuille_advice_only_for_cybersecurity_since_1_february_2026():
    data = topic("kmo_portefeuille")
    assert "Sinds 1 februari 2026" in data["answer"] and "cybersecurity" in data["answer"]
    assert data.get("valid_from") == "2026-02-01"
    assert any("hervorming-kmo-portefeuille" in u for u in urls(data))


def test_ecologiepremie_start_rule_and_no_scan_bonus():
    data = topic("ecologiesteun")
    assert "eerste dag van de maand na de maand" in data["answer"]
    assert "1 juli 2024" in data["answer"]
    assert "mag pas starten nadat de aanvraag ingediend" not in data["answer"]
    assert not any("scan" in item for item in data["what_to_prepare"])


def test_development_project_needs_legal_personality():
    data = topic("innovatiesteun")
    assert "rechtspersoonlijkheid" in data["answer"] and "eenmanszaak" in data["answer"]


def test_closure_premium_is_requested_at_the_latest_when_the_closure_starts():
    data = topic("hinderpremie")
    assert "ten laatste op de dag dat je sluiting begint" in data["answer"]
    assert "opeenvolgende kalenderdagen" in data["answer"]


def test_peppol_e_invoicing_also_under_the_exemption_scheme():
    answer = topic("btw_registratie")["answer"]
    assert "1 januari 2026" in answer and "Peppol" in answer
    assert re.search(r"ook als je onder de vrijstellingsregeling", answer)


def test_leurkaart_abolished_and_vlaio_is_the_reference():
    data = topic("ambulante_handel")
    assert "Sinds 1 april 2024" in data["answer"] and "leurkaart" in data["answer"]
    assert "https://www.vlaio.be/nl/nieuws/het-definitieve-einde-van-de-leurkaart" in urls(data)
    assert not any("economie.fgov.be" in u for u in urls(data))


def test_rsvz_faq_link_is_the_real_page():
    data = topic("overbruggingsrecht")
    rsvz = [u for u in urls(data) if "rsvz-inasti.fgov.be" in u]
    assert rsvz == ["https://www.rsvz-inasti.fgov.be/nl/faq/"
                    "ik-zet-mijn-zaak-stop-door-economische-moeilijkheden-wat-nu"]


def test_any_alcoholic_drink_needs_a_drink_permit():
    data = topic("horeca_uitbating")
    assert "drankvergunning" in data["answer"] and "alcoholische drank" in data["answer"]
    assert "niet alleen voor sterke drank" in data["answer"]


@pytest.mark.parametrize("topic_id", [
    "sociaal_statuut", "nachtwinkel", "handelshuur", "taxi_personenvervoer", "terrasvergunning",
    "evenementenvergunning", "inname_openbaar_domein", "sterke_drank", "openingsuren_rustdag",
    "horeca_uitbating",
])
def test_sources_are_deep_pages_not_home_pages(topic_id):
    found = urls(topic(topic_id))
    assert found and not any(bare(u) for u in found), found
    assert not any(urlparse(u).hostname in ("inasti.be", "www.inasti.be") for u in found)


def test_every_source_has_a_title():
    for path in sorted(TOPICS.glob("*.yml")):
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            assert len(source.get("title", "")) >= 3, path.name


def test_dimona_exit_is_declared_by_the_next_working_day_not_in_advance():
    answer = topic("personeel_aanwerven")["answer"]
    assert "Elke in- en uitdiensttreding meld je vooraf" not in answer
    assert "ten laatste op de eerstvolgende werkdag" in answer


def test_e_invoicing_and_affiliation_cite_the_pages_that_say_it():
    btw = urls(topic("btw_registratie"))
    assert any("gestructureerde-elektronische-facturen" in u for u in btw)
    assert any("aansluiten-bij-een-socialeverzekeringsfonds" in u and "rsvz-inasti" in u
               for u in urls(topic("sociaal_statuut")))
