"""Routing a question to the right counter for the demo tenant (Provincie Oost-Vlaanderen)."""

from __future__ import annotations

import pytest

from bot.catalog import Catalog
from bot.counters import load_tenant
from bot.municipalities import MunicipalityRegistry
from bot.routing import route

AALST, LOCHRISTI, DENDERLEEUW, GENT = "41002", "44087", "41011", "44021"
ANTWERPEN, MECHELEN, HASSELT, TURNHOUT, BOCHOLT, AS = (
    "11002",
    "12025",
    "71072",
    "13040",
    "72003",
    "71002",
)


@pytest.fixture(scope="module")
def tenant(root):
    return load_tenant(root / "content" / "tenants" / "oost-vlaanderen.yml")


@pytest.fixture(scope="module")
def registry(root):
    return MunicipalityRegistry.from_csv(root / "content" / "reference")


@pytest.mark.parametrize(
    ("topic", "level", "nis", "counter", "secondary"),
    [
        # local topics: the counter that serves the municipality
        ("terrasvergunning", "lokaal", AALST, "aalst", None),
        ("evenementenvergunning", "lokaal", GENT, "gent", None),
        ("terrasvergunning", "lokaal", LOCHRISTI, "ondernemerscoach_regio_gent", None),
        (
            "terrasvergunning",
            "lokaal",
            "44088",
            "ondernemerscoach_regio_gent",
            None,
        ),  # Merelbeke-Melle
        ("terrasvergunning", "lokaal", DENDERLEEUW, "provincie_oost_vlaanderen", None),
        ("reclame_uithangbord", "lokaal", "45035", "provincie_oost_vlaanderen", None),  # Oudenaarde
        ("terrasvergunning", "lokaal", MECHELEN, "mechelen", None),
        ("terrasvergunning", "lokaal", HASSELT, "hasselt", None),
        ("terrasvergunning", "lokaal", TURNHOUT, "turnhout", None),
        ("terrasvergunning", "lokaal", ANTWERPEN, "antwerpen", None),
        ("terrasvergunning", "lokaal", BOCHOLT, "eigen_gemeente", None),
        ("onderneming_starten", "federaal", AS, "eigen_gemeente", None),
        # regional and federal topics: the agency, with the local counter as second line
        ("kmo_portefeuille", "vlaams", AALST, "vlaio", "aalst"),
        ("kmo_groeisubsidie", "vlaams", BOCHOLT, "vlaio", "eigen_gemeente"),
        ("innovatiesteun", "vlaams", GENT, "vlaio", "gent"),
        ("ecologiesteun", "vlaams", LOCHRISTI, "vlaio", "ondernemerscoach_regio_gent"),
        ("financiering_lening", "vlaams", DENDERLEEUW, "vlaio", "provincie_oost_vlaanderen"),
        ("btw_registratie", "federaal", AALST, "fod_financien", "aalst"),
        ("ondernemingsnummer_kbo", "federaal", HASSELT, "fod_economie", "hasselt"),
        ("sociaal_statuut", "federaal", GENT, "rsvz", "gent"),
        ("overbruggingsrecht", "federaal", GENT, "rsvz", "gent"),
        ("voedselveiligheid_favv", "federaal", MECHELEN, "favv", "mechelen"),
        ("gdpr_privacy", "federaal", TURNHOUT, "gba", "turnhout"),
        ("personeel_aanwerven", "federaal", AALST, "rsz", "aalst"),
    ],
)
def test_routing_table(tenant, registry, topic, level, nis, counter, secondary):
    decision = route(tenant, topic, level, registry.get(nis))
    assert decision.counter.id == counter
    assert (decision.secondary.id if decision.secondary else None) == secondary
    assert not decision.needs_municipality
    assert not decision.offer_human


def test_agency_topics_do_not_need_the_municipality(tenant):
    decision = route(tenant, "kmo_portefeuille", "vlaams", None)
    assert decision.counter.id == "vlaio"
    assert decision.reason == "agency_topic"
    assert not decision.needs_municipality
    assert decision.counter.contact.web == "https://www.vlaio.be"


@pytest.mark.parametrize(("topic", "level"), [("terrasvergunning", "lokaal"), (None, None)])
def test_local_question_without_municipality_asks_for_it(tenant, topic, level):
    decision = route(tenant, topic, level, None)
    assert decision.needs_municipality
    assert decision.counter.id == "provincie_oost_vlaanderen"  # the tenant's default meanwhile


def test_general_topic_without_agency_goes_to_default_counter(tenant):
    decision = route(tenant, "handelshuur", "vlaams", None)
    assert decision.counter.id == "provincie_oost_vlaanderen"
    assert decision.reason == "general_topic"
    assert not decision.needs_municipality


def test_complex_case_goes_to_a_local_officer_and_offers_a_human(tenant, registry):
    local = route(
        tenant, "evenementenvergunning", "lokaal", registry.get(LOCHRISTI), complex_case=True
    )
    assert (local.counter.id, local.offer_human, local.reason) == (
        "ondernemerscoach_regio_gent",
        True,
        "complex_case",
    )

    agency_topic = route(
        tenant, "kmo_groeisubsidie", "vlaams", registry.get(AALST), complex_case=True
    )
    assert agency_topic.counter.id == "aalst"
    assert agency_topic.secondary is not None and agency_topic.secondary.id == "vlaio"
    assert agency_topic.offer_human

    unknown = route(tenant, "omgevingsvergunning", "lokaal", None, complex_case=True)
    assert unknown.needs_municipality and unknown.offer_human


@pytest.mark.parametrize(
    ("message", "counter"),
    [
        ("ik heb een frituur in Borsbeek", "antwerpen"),
        ("9185", "ondernemerscoach_regio_gent"),  # Wachtebeke, now Lochristi
        ("gemeente Ledeberg", "gent"),
        ("Erembodegem", "aalst"),
        ("Tiennen", "eigen_gemeente"),
        ("ik zit in Kortessem", "hasselt"),
    ],
)
def test_message_to_counter(tenant, registry, message, counter):
    resolution = registry.resolve(message)
    assert (
        route(tenant, "terrasvergunning", "lokaal", resolution.municipality).counter.id == counter
    )


def test_every_topic_and_municipality_gets_a_counter(tenant, registry, root):
    catalog = Catalog.load(root / "content" / "topics")
    assert len(catalog) > 0
    for topic in (catalog.get(topic_id) for topic_id in catalog.ids()):
        assert topic is not None
        for municipality in registry.all():
            decision = route(tenant, topic.id, topic.authority_level, municipality)
            assert decision.counter is not None
            assert not decision.needs_municipality
            counter = decision.counter
            if not counter.is_agency:
                assert counter.specificity(municipality) > 0, (topic.id, municipality.name)
