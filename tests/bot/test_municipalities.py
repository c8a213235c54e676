"""Resolving the municipality from what a business owner types."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest
import yaml

from bot.municipalities import MunicipalityRegistry, Resolution

# Ordinary questions without a place in them: none may resolve to a municipality. Several contain
# place names that are also ordinary words (meer, werken, melden, landen, halen, doel, boom, mol,
# geel, peer, as, lot, zolder, schoten, muizen, haren, heffen, voeren, ...), years and amounts.
ORDINARY = [
    "hallo",
    "goedemorgen",
    "dank je wel",
    "bedankt, dat was duidelijk",
    "ja graag",
    "nee bedankt",
    "oké",
    "help",
    "helpen",
    "loket",
    "vergunning",
    "terras",
    "subsidie",
    "btw",
    "iemand spreken",
    "opnieuw beginnen",
    "stop",
    "menu",
    "contact",
    "meer info",
    "meer",
    "ik wil meer weten",
    "ik heb meer informatie nodig over de premie",
    "kan ik in meer dan één gemeente een kraam zetten",
    "heb je nog meer tips",
    "wat moet ik doen om een terras te mogen zetten",
    "hoe vraag ik een terrasvergunning aan",
    "mag ik tafels en stoelen op de stoep zetten",
    "hoe lang duurt een omgevingsvergunning",
    "wat kost een evenementenvergunning",
    "moet ik mijn evenement melden bij de politie",
    "wat moet ik allemaal melden",
    "ik wil dat melden",
    "moet ik iets melden als ik verhuis",
    "waar kan ik werken aan de gevel melden",
    "we werken met zes mensen",
    "mag ik op zondag werken in mijn winkel",
    "ik ga werken als zelfstandige in bijberoep",
    "er zijn werken in mijn straat, krijg ik steun",
    "wegenwerken voor mijn deur, wat nu",
    "ik kan niet meer werken door ziekte",
    "ik wil personeel in dienst nemen",
    "hoe neem ik een student in dienst",
    "wat zijn de regels voor flexi-jobs",
    "moet ik een dimona doen",
    "wanneer moet ik btw aanrekenen",
    "hoe krijg ik een btw-nummer",
    "ik wil een ondernemingsnummer aanvragen",
    "wat is de kruispuntbank van ondernemingen",
    "welk sociaal statuut heb ik als zelfstandige",
    "hoeveel sociale bijdragen moet ik betalen",
    "kan ik overbruggingsrecht krijgen",
    "mijn zaak is afgebrand, wat nu",
    "ik moet mijn zaak sluiten door een faillissement",
    "heb ik een erkenning van het favv nodig",
    "ik verkoop zelfgemaakte taarten, mag dat",
    "we hebben last van muizen in de keuken",
    "er zitten muizen in het magazijn, moet ik dat melden",
    "ik wil kleine hapjes verkopen op een markt",
    "moet ik een hygiënecursus volgen",
    "hoe zit het met de gdpr voor mijn klantenlijst",
    "mag ik camera's hangen in mijn winkel",
    "ik wil een nieuwsbrief sturen naar mijn klanten",
    "hoe lang mag ik facturen bijhouden",
    "mijn handelshuur loopt af, wat nu",
    "mag de eigenaar de huur verhogen",
    "ik wil mijn handelshuurcontract opzeggen",
    "wat is een handelshuurovereenkomst",
    "welke openingsuren mag ik hanteren",
    "moet ik een wekelijkse rustdag nemen",
    "mag ik open zijn op zondag",
    "hoe laat moet een nachtwinkel sluiten",
    "waar kan ik mijn bedrijfsafval kwijt",
    "moet ik mijn afval sorteren als bedrijf",
    "hoe regel ik de ophaling van karton",
    "wat doe ik met frituurvet",
    "mag ik een reclamebord aan mijn gevel hangen",
    "heb ik een vergunning nodig voor een uithangbord",
    "mag ik een beachflag op de stoep zetten",
    "wat kost een lichtreclame",
    "ik wil een container op straat zetten",
    "hoe vraag ik een parkeerverbod aan voor een verhuis",
    "mag ik een stelling op het voetpad plaatsen",
    "ik wil een foodtruck starten",
    "waar mag ik met mijn foodtruck staan",
    "ik wil op de wekelijkse markt staan",
    "hoe krijg ik een standplaats op de markt",
    "ik wil een eigen zaak beginnen",
    "wat zijn de eerste stappen om te starten",
    "ik wil een café overnemen",
    "moet ik een drankvergunning hebben",
    "mag ik sterke drank schenken",
    "hoe vraag ik een vergunning voor sterke drank",
    "mag ik muziek spelen in mijn café",
    "hoe luid mag de muziek zijn",
    "de buren klagen over lawaai",
    "ik wil een taxibedrijf starten",
    "hoe word ik taxichauffeur",
    "ik wil een kmo-portefeuille aanvragen",
    "welke opleidingen worden gesubsidieerd",
    "is er steun voor innovatie",
    "ik wil een nieuw product ontwikkelen",
    "welke subsidie bestaat er voor groei",
    "is er een hinderpremie",
    "krijg ik een premie voor energiebesparende investeringen",
    "de bank wil me geen lening geven",
    "kan ik een achtergestelde lening krijgen",
    "ik heb 1500 euro nodig",
    "de verbouwing kost 2500 euro",
    "is er een premie van € 2000",
    "ons pand is 1200 m² groot",
    "we hebben 1500 m2 opslagruimte",
    "sinds 2018 heb ik een kapsalon",
    "ik ben in 2020 gestart",
    "vanaf 2027 gelden nieuwe regels",
    "tot 2026 liep mijn contract",
    "mijn dossier is OVL-2026-0001",
    "bel 1700 voor meer info",
    "we verwachten 3000 bezoekers",
    "er komen 2000 mensen naar het evenement",
    "de zaal telt 1200 plaatsen",
    "we werken met 1500 klanten",
    "factuur 2019 is nog niet betaald",
    "mijn pincode 1234 werkt niet",
    "om 1400 uur ben ik vrij",
    "de boom voor mijn winkel moet weg",
    "mag ik een boom kappen",
    "de boom op de stoep hindert mijn terras",
    "ik verkoop geel en blauw textiel",
    "mijn logo is geel",
    "ik verkoop peer en appel op de markt",
    "ik heb een peer van een lamp nodig",
    "we hebben een mol in de tuin",
    "ik wil de as van mijn oven wegdoen",
    "we zitten met een lot van de tombola",
    "mijn atelier is op de zolder",
    "mag ik een kantoor op zolder inrichten",
    "de kapsalon heeft nieuwe schoten nodig",
    "er werden schoten gehoord bij mijn zaak",
    "ik knip haren in mijn kapsalon aan huis",
    "mag de gemeente een belasting heffen op mijn terras",
    "welke taksen heffen ze op reclame",
    "we voeren een campagne voor onze winkel",
    "hoe voeren we een koopzondag in",
    "ik wil een actie voeren voor lokale handelaars",
    "wat is het doel van de kmo-portefeuille",
    "mijn doel is een eigen winkel",
    "hij leest de regels niet goed",
    "wie leest mijn aanvraag",
    "hoe gaat het verder",
    "ga voort met mijn aanvraag",
    "ik wil voort met mijn dossier",
    "ik kom mijn vergunning halen",
    "waar kan ik mijn attest halen",
    "ik baal ervan",
    "we balen van de wachttijd",
    "mijn leveranciers komen uit andere landen",
    "mag ik producten uit andere landen verkopen",
    "vliegtuigen landen vlak bij mijn zaak",
    "zijn er regels voor wortel en groenten op de markt",
    "ik verkoop herten en wild",
    "we kozen voor een eenmanszaak",
    "de lessen van de opleiding zijn gestart",
    "welke namen mag ik gebruiken voor mijn zaak",
    "ik zoek een paal voor mijn uithangbord",
    "het perk voor mijn winkel is van de gemeente",
    "mijn dochter Veerle neemt de zaak over",
    "ik ben Brecht en ik heb een vraag",
    "de vorst heeft mijn terras beschadigd",
    "kunnen we een afspraak maken",
    "wanneer is het loket open",
    "waar is het ondernemersloket",
    "hoe kan ik het loket bereiken",
    "wat is het e-mailadres van het loket",
    "ik wil iemand van de dienst economie spreken",
    "kan ik met een medewerker praten",
    "dit helpt me niet",
    "je begrijpt me niet",
    "wat een slechte bot",
    "zever",
    "helemaal niet",
    "waardeloos",
    "herstart",
    "begin opnieuw",
    "wie ben jij",
    "ben jij een robot",
    "wat kan je allemaal",
    "waarmee kan je me helpen",
    "tot ziens",
    "dag",
    "salut",
    "wat is de status van mijn dossier",
    "ik wil een aanvraag starten",
    "hoe ver staat mijn aanvraag",
    "ik heb geen antwoord gekregen",
    "hoe weet ik of ik een vergunning nodig heb",
    "is dat gratis",
    "wie beslist daarover",
    "waar vind ik het reglement",
    "welke documenten moet ik meebrengen",
    "moet ik een plan tekenen",
    "hoe lang op voorhand",
    "ik heb een bakkerij met een koffiehoek",
    "ik baat een frituur uit",
    "wij hebben een kledingwinkel in de winkelstraat",
    "onze brasserie ligt aan het plein",
    "mijn restaurant ligt langs een gewestweg",
    "ik heb een schoenwinkel in het centrum",
    "wij zijn een klein bouwbedrijf",
    "ik ben grafisch ontwerper in bijberoep",
    "we hebben een webshop zonder winkel",
    "ik geef yogales in een zaaltje",
    "ik ben kapper aan huis",
    "ik wil een B&B openen",
    "wij organiseren een braderie",
    "we willen een rommelmarkt organiseren",
    "ik wil een pop-upwinkel openen",
    "de huur van mijn pand is te hoog",
    "mijn verhuurder wil het pand verkopen",
    "mag ik mijn woning gedeeltelijk als kantoor gebruiken",
    "ik wil een loods bouwen",
    "mag ik een zonnepaneel op het dak van mijn winkel",
    "ik wil een laadpaal voor klanten",
    "wat met de parking voor mijn klanten",
    "mag ik reclame maken op een aanhangwagen",
    "hoeveel mag een terras kosten",
    "wie controleert de hygiëne",
    "hoe vaak komt het favv langs",
    "wat als ik een boete krijg",
    "kan ik bezwaar indienen",
    "waar moet ik dat indienen",
    "ik wil een klacht indienen",
    "ik heb een vraag over mijn belastingaangifte",
    "moet ik een boekhouder nemen",
    "wat is een vennootschap",
    "ik wil een bv oprichten",
    "wat is het verschil tussen een eenmanszaak en een vennootschap",
    "hoe kies ik een sociaal verzekeringsfonds",
    "mijn zaak in het centrum heeft last van leegstand",
    "we zoeken een nieuwe locatie voor onze winkel",
    "in welke gemeente is het loket",
    "in orde brengen van mijn papieren",
    "in principe ben ik al gestart",
    "in totaal werken we met vijf",
    "in de zomer wil ik een terras",
    "in het weekend ben ik open",
    "uit welke documenten moet ik kiezen",
    "uit ervaring weet ik dat het lang duurt",
    "in september open ik mijn winkel",
    "in mijn winkel verkoop ik fietsen",
    "in onze zaak werken we met stagiairs",
    "in de buurt zijn er werken",
    "in overleg met de eigenaar",
    "in dienst nemen van een jobstudent",
    "ik wil mijn zaak uitbreiden",
    "wat als ik mijn zaak verhuis",
    "kan ik mijn vergunning overdragen",
    "geldt de vergunning nog na een overname",
    "ik wil stoppen met mijn zaak",
    "hoe schrap ik mijn onderneming",
    "wat moet ik doen als ik met pensioen ga",
]


@pytest.fixture(scope="module")
def registry(root) -> MunicipalityRegistry:
    return MunicipalityRegistry.from_csv(root / "content" / "reference")


@pytest.fixture(scope="module")
def risky_names(root) -> set[str]:
    lexicon = yaml.safe_load((root / "content" / "reference" / "resolver_lexicon.yml").read_text())
    return set(lexicon["risky_names"])


@pytest.fixture(scope="module")
def postcodes(root) -> dict[str, set[str]]:
    by_code: dict[str, set[str]] = defaultdict(set)
    with (root / "content" / "reference" / "postcodes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_code[row["postcode"]].add(row["nis"])
    return by_code


def found(resolution: Resolution) -> str:
    assert resolution.status == "found", resolution
    assert resolution.municipality is not None
    return resolution.municipality.name


def candidates(resolution: Resolution) -> set[str]:
    assert resolution.status == "ambiguous", resolution
    return {m.name for m in resolution.candidates}


def test_registry_has_the_285_flemish_municipalities(registry):
    municipalities = registry.all()
    assert len(municipalities) == 285
    assert registry.get("44088").name == "Merelbeke-Melle"
    assert registry.get("21004") is None  # Brussels is not in the Flemish list


def test_every_municipality_name_round_trips_in_any_spelling(registry, risky_names):
    failures = []
    for municipality in registry.all():
        name = municipality.name
        spellings = [
            name,
            name.upper(),
            name.replace("-", " "),
            f"gemeente {name.lower()}",
            f"Ik heb een zaak in {name} en wil een terras.",
            f"stad {name}",
        ]
        if name.lower() not in risky_names:  # "boom" alone is a tree, "Boom" the municipality
            spellings.append(name.lower())
        for spelling in spellings:
            result = registry.resolve(spelling)
            if result.status != "found" or result.municipality != municipality:
                failures.append((spelling, result.status))
    assert not failures


def test_every_postcode_round_trips(registry, postcodes):
    assert len(postcodes) == 519
    for code, nis in postcodes.items():
        assert len(nis) == 1  # the data has one municipality per Flemish postcode
        for text in (code, f"postcode {code}", f"mijn zaak ligt in {code}"):
            result = registry.resolve(text)
            if code.startswith(("19", "20")) and text.startswith("mijn"):
                continue  # "in 2018" is read as a year; see test_numbers_that_are_not_postcodes
            assert result.status == "found", (text, result)
            assert result.municipality and result.municipality.nis in nis, text
            assert result.matched == code


def test_every_place_resolves_to_its_municipality(registry):
    nis_by_place: dict[str, set[str]] = defaultdict(set)
    for place in registry.places():
        nis_by_place[place.name].add(place.nis)
    names = {m.name: m.nis for m in registry.all()}
    for place, nis in nis_by_place.items():
        result = registry.resolve(place)
        if place in names:  # a municipality name means that municipality ("Aalst" is not 3800)
            assert result.municipality and result.municipality.nis == names[place], place
        elif len(nis) == 1:
            assert result.status == "found" and result.municipality.nis in nis, (place, result)
        else:
            assert result.status == "ambiguous", place
            assert nis <= {m.nis for m in result.candidates}, place


@pytest.mark.parametrize(
    ("text", "municipality", "place"),
    [
        ("Ledeberg", "Gent", "Ledeberg"),
        ("gemeente Ledeberg", "Gent", "Ledeberg"),
        ("ik heb een frituur in Hoboken", "Antwerpen", "Hoboken"),
        ("Borsbeek", "Antwerpen", "Borsbeek"),
        ("Wachtebeke", "Lochristi", "Wachtebeke"),
        ("Kortessem bij Hasselt", "Hasselt", "Kortessem"),
        ("wij zitten in Herne, da's nu Pajottegem", "Pajottegem", "Herne"),
        ("Meulebeke, tegenwoordig Tielt", "Tielt", "Meulebeke"),
        ("De Pinte", "Nazareth-De Pinte", "De Pinte"),
        ("9050", "Gent", None),
        ("9050 Ledeberg", "Gent", "Ledeberg"),
        ("'s-Gravenwezel", "Schilde", "'s-Gravenwezel"),
        ("s Gravenwezel", "Schilde", "'s-Gravenwezel"),
    ],
)
def test_places_and_former_municipalities(registry, text, municipality, place):
    result = registry.resolve(text)
    assert found(result) == municipality
    assert result.place == place


@pytest.mark.parametrize(
    ("text", "municipality"),
    [
        ("ik heb een café in sint truiden en wil een terras", "Sint-Truiden"),
        ("9000", "Gent"),
        ("stad Gent", "Gent"),
        ("nee, in Aalst", "Aalst"),
        ("Aalst", "Aalst"),
        ("3800 Aalst", "Sint-Truiden"),
        ("Halle", "Halle"),
        ("2980 Halle", "Zoersel"),
        ("Beveren-Kruibeke-Zwijndrecht", "Beveren-Kruibeke-Zwijndrecht"),
        ("Sint-Gillis-Waas", "Sint-Gillis-Waas"),
        ("St.-Niklaas", "Sint-Niklaas"),
        ("St Truiden", "Sint-Truiden"),
        ("sintniklaas", "Sint-Niklaas"),
        ("HEIST-OP-DEN-BERG", "Heist-op-den-Berg"),
        ("Sint-Job-in-'t-Goor", "Brecht"),
        ("ÉÉN zaak in Zelzate", "Zelzate"),
        ("Berchem, bij Antwerpen", "Antwerpen"),
        ("2600 Berchem", "Antwerpen"),
        ("in Mol", "Mol"),
        ("ik woon in Mol", "Mol"),
        ("Geel", "Geel"),
        ("ik ben van Geel", "Geel"),
        ("gemeente Meer", "Hoogstraten"),
        ("mijn winkel is in As", "As"),
        ("gevestigd te Landen", "Landen"),
        ("nee, niet in Gent maar in Aalst", "Aalst"),
        ("excuseer, het is Wetteren en niet Wichelen", "Wetteren"),
        ("ik woon in Kortrijk maar de zaak ligt in Harelbeke", "Harelbeke"),
        ("ik woon in 1050 Elsene maar mijn winkel is in Gent", "Gent"),
    ],
)
def test_resolves_municipality_in_a_message(registry, text, municipality):
    assert found(registry.resolve(text)) == municipality


@pytest.mark.parametrize(
    ("text", "municipality"),
    [
        ("Tiennen", "Tienen"),
        ("Sint-Niklas", "Sint-Niklaas"),
        ("ik heb een winkel in Sint Nikolaas", "Sint-Niklaas"),
        ("Gerardsbergen", "Geraardsbergen"),
        ("in Kortrik", "Kortrijk"),
        ("Dendermond", "Dendermonde"),
        ("gemeente Lokern", "Lokeren"),
        ("Ostende", "Oostende"),
    ],
)
def test_typos(registry, text, municipality):
    result = registry.resolve(text)
    assert found(result) == municipality
    assert result.matched and result.matched.lower() in text.lower()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Berchem", {"Antwerpen", "Kluisbergen"}),
        ("Deurne", {"Antwerpen", "Diest"}),
        ("Beveren", {"Beveren-Kruibeke-Zwijndrecht", "Roeselare", "Waregem"}),
        ("Heist", {"Knokke-Heist", "Heist-op-den-Berg"}),
        ("ik heb een zaak in Gent en een in Aalst", {"Gent", "Aalst"}),
    ],
)
def test_ambiguous_names_offer_candidates(registry, text, expected):
    result = registry.resolve(text)
    assert candidates(result) == expected
    assert result.municipality is None


@pytest.mark.parametrize(
    "text",
    [
        "1000 Brussel",
        "Brussel",
        "ik woon in Bruxelles",
        "Luik",
        "Namur 5000",
        "ik zit in Elsene",
        "Waals-Brabant",
        "7700 Moeskroen",
        "Wallonië",
        "ik heb een winkel in Nederland",
        "4000",
        "postcode 1300",
        "1190 Vorst",
    ],
)
def test_outside_flanders(registry, text):
    result = registry.resolve(text)
    assert result.status == "outside_flanders", result
    assert result.municipality is None and result.matched


@pytest.mark.parametrize(
    "text",
    [
        "ik wil 1500 euro lenen",
        "sinds 2018 heb ik een zaak",
        "een zaal van 2000 m²",
        "bel 1700",
        "dossier OVL-2026-0001",
        "€ 2500 premie",
        "in 2020 gestart",
        "we verwachten 9000 bezoekers",
        "op 23-11-2026 open ik",
        "1.500 klanten",
        "om 9:00",
    ],
)
def test_numbers_that_are_not_postcodes(registry, text):
    assert registry.resolve(text).status == "none"


def test_a_year_like_postcode_alone_is_a_postcode(registry):
    assert found(registry.resolve("2018")) == "Antwerpen"
    assert found(registry.resolve("postcode 1930")) == "Zaventem"


def test_ordinary_questions_have_no_place(registry):
    assert len(ORDINARY) >= 200
    wrong = {text: registry.resolve(text) for text in ORDINARY}
    wrong = {text: r.matched for text, r in wrong.items() if r.status != "none"}
    assert wrong == {}


def test_empty_and_odd_input(registry):
    for text in ("", "   ", "?!", "😀", "<b>Gent</b>"[:3]):
        assert registry.resolve(text).status == "none"
    assert found(registry.resolve("<b>Gent</b>")) == "Gent"
