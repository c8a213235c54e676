"""From instance snapshots (JSON-LD, IPDC context) to products: latest version, Dutch texts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

# Dutch variants in order of preference: our answers use "je" (informal).
LANGUAGES = ("nl-be-x-informal", "nl-be-x-generated-informal", "nl", "nl-be",
             "nl-be-x-formal", "nl-be-x-generated-formal")
LEVELS = {"lokaal": "lokaal", "provinciaal": "provinciaal", "vlaams": "vlaams",
          "federaal": "federaal"}
# What our answers never state themselves (same rule as tests/content/test_topics.py):
# amounts, percentages, phone numbers. Sentences with them stay out of the imported answer and
# are kept only as quotes with their source (costs) for the officer.
FORBIDDEN = re.compile(r"(€|\beuro\b|\d+\s?%|\bprocent\b|\b0\d{1,2}[ /.]?\d{2,3}[ /.]?\d{2}\b)",
                       re.IGNORECASE)
NIS_PATTERN = re.compile(r"^(?:BE\d{3})?(\d{5})$")
MAX_ANSWER = 1200
# @base of bevoegdeOverheden / uitvoerendeOverheden in the IPDC JSON-LD context.
ORGANISATION_BASE = "https://data.vlaanderen.be/id/organisatie/"


@dataclass(frozen=True)
class Website:
    title: str
    url: str


@dataclass(frozen=True)
class Product:
    """One product (instance) of a local government, as its latest snapshot describes it."""

    product: str  # dct:isVersionOf: the instance the snapshots are versions of
    snapshot: str  # @id of the snapshot
    generated_at: str  # prov:generatedAtTime
    archived: bool
    title: str
    description: str
    additional_description: str
    exceptions: str
    requirements: tuple[str, ...]
    procedures: tuple[str, ...]
    costs: tuple[str, ...]
    competent_level: str | None
    executing_level: str | None
    competent_authorities: tuple[str, ...]
    executing_authorities: tuple[str, ...]
    spatial: tuple[str, ...]
    nis_codes: tuple[str, ...]
    websites: tuple[Website, ...]
    product_number: str | None
    product_type: str | None
    start: str | None
    end: str | None

    @property
    def key(self) -> str:
        """Stable file name part: the last path segment of the product IRI."""
        return re.sub(r"[^A-Za-z0-9_-]", "-", self.product.rstrip("/").rsplit("/", 1)[-1])[:80]

    @property
    def web_page(self) -> Website | None:
        """The product's own web page: the first https website of the product or its procedure."""
        return next((w for w in self.websites if w.url.startswith("https://")), None)


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "br", "ul", "ol", "li", "h1", "h2", "h3", "h4", "tr"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(value: str) -> str:
    parser = _Text()
    parser.feed(value)
    parser.close()
    raw = "".join(parser.parts).split("\n")
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in raw)
    return "\n".join(line for line in lines if line)


def dutch(value: Any) -> str:
    """The Dutch text of a language map ({lang: text}), a list of {@language, @value} or a
    plain string; HTML reduced to text; "" when there is no Dutch variant."""
    texts: dict[str, str] = {}
    if isinstance(value, str):
        texts["nl"] = value
    elif isinstance(value, Mapping):
        if "@value" in value:
            texts[str(value.get("@language", "nl")).lower()] = str(value["@value"])
        else:
            texts.update({str(k).lower(): str(v) for k, v in value.items() if isinstance(v, str)})
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, Mapping) and "@value" in item:
                texts.setdefault(str(item.get("@language", "nl")).lower(), str(item["@value"]))
    for language in LANGUAGES:
        if texts.get(language):
            return html_to_text(texts[language])
    other = next((t for lang, t in texts.items() if lang.startswith("nl") and t), "")
    return html_to_text(other)


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _iri(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("@id") or value.get("id") or "")
    return str(value)


def _organisation(value: Any) -> str:
    iri = _iri(value)
    return iri if "://" in iri or not iri else ORGANISATION_BASE + iri


def _level(values: Any) -> str | None:
    for value in _list(values):
        name = _iri(value).rstrip("/").rsplit("/", 1)[-1].lower()
        if name in LEVELS:
            return LEVELS[name]
    return None


def nis_code(spatial: str) -> str | None:
    """5-digit NIS code of a municipality scope: NUTS-LAU (BE23444021), refnis IRIs (…/44021)."""
    match = NIS_PATTERN.match(spatial.rstrip("/").rsplit("/", 1)[-1])
    return match.group(1) if match else None


def _named(items: Any) -> tuple[str, ...]:
    """"Name: description" (or either alone) for requirements, procedures and costs."""
    out = []
    for item in sorted(_list(items), key=lambda i: float(i.get("order", 0) or 0)
                       if isinstance(i, Mapping) else 0):
        if not isinstance(item, Mapping):
            continue
        name, text = dutch(item.get("naam")), dutch(item.get("beschrijving"))
        evidence = item.get("bewijs")
        proof = dutch(evidence.get("beschrijving")) if isinstance(evidence, Mapping) else ""
        joined = ": ".join(p for p in (name, text) if p)
        if proof:
            joined = f"{joined}\n{proof}" if joined else proof
        if joined:
            out.append(joined)
    return tuple(out)


def _websites(items: Any) -> list[Website]:
    found = []
    for item in sorted(_list(items), key=lambda i: float(i.get("order", 0) or 0)
                       if isinstance(i, Mapping) else 0):
        if isinstance(item, Mapping) and item.get("url"):
            found.append(Website(dutch(item.get("naam")) or str(item["url"]), str(item["url"])))
    return found


def _truthy(value: Any) -> bool:
    if isinstance(value, Mapping):
        value = value.get("@value")
    return str(value).lower() in ("true", "1")


def product_from_snapshot(member: Mapping[str, Any]) -> Product | None:
    """Map one snapshot; None when it is no versioned instance snapshot."""
    product, generated = member.get("isVersionOf"), member.get("generatedAtTime")
    if not product or not generated:
        return None
    spatial = tuple(_iri(s) for s in _list(member.get("geografischToepassingsgebieden")))
    websites = _websites(member.get("websites"))
    for procedure in _list(member.get("procedures")):
        if isinstance(procedure, Mapping):
            websites.extend(_websites(procedure.get("websites")))
    kind = member.get("type")
    return Product(
        product=_iri(product), snapshot=_iri(member.get("@id", "")),
        generated_at=str(generated.get("@value") if isinstance(generated, Mapping) else generated),
        archived=_truthy(member.get("gearchiveerd")),
        title=dutch(member.get("naam") or member.get("titel")),
        description=dutch(member.get("beschrijving")),
        additional_description=dutch(member.get("verdereBeschrijving")),
        exceptions=dutch(member.get("uitzonderingen")),
        requirements=_named(member.get("voorwaarden")),
        procedures=_named(member.get("procedures")),
        costs=_named(member.get("kosten")),
        competent_level=_level(member.get("bevoegdBestuursniveaus")),
        executing_level=_level(member.get("uitvoerendBestuursniveaus")),
        competent_authorities=tuple(map(_organisation, _list(member.get("bevoegdeOverheden")))),
        executing_authorities=tuple(map(_organisation, _list(member.get("uitvoerendeOverheden")))),
        spatial=spatial,
        nis_codes=tuple(dict.fromkeys(n for n in map(nis_code, spatial) if n)),
        websites=tuple(websites),
        product_number=str(member["productnummer"]) if member.get("productnummer") else None,
        product_type=_iri(kind).rstrip("/").rsplit("/", 1)[-1] if kind else None,
        start=_opt(member.get("startDienstVerlening")),
        end=_opt(member.get("eindeDienstVerlening")),
    )


def _opt(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("@value")
    return str(value) if value else None


def _when(product: Product) -> datetime:
    return datetime.fromisoformat(product.generated_at.replace("Z", "+00:00"))


def latest_versions(snapshots: Iterable[Product]) -> list[Product]:
    """The latest snapshot of each product (isVersionOf) by generatedAtTime; on equal times the
    one that came later in the stream wins."""
    latest: dict[str, tuple[datetime, int, Product]] = {}
    for order, product in enumerate(snapshots):
        when = _when(product)
        current = latest.get(product.product)
        if current is None or (when, order) >= current[:2]:
            latest[product.product] = (when, order, product)
    return [entry[2] for entry in sorted(latest.values(), key=lambda e: e[2].product)]


def without_facts(text: str) -> tuple[str, int]:
    """The text without the sentences that state amounts, percentages or phone numbers, and how
    many sentences were left out (the officer reads those on the product's own page)."""
    kept, dropped = [], 0
    for line in text.split("\n"):
        parts = [p for p in re.split(r"(?<=[.!?])\s+", line) if p.strip()]
        good = [p for p in parts if not FORBIDDEN.search(p)]
        dropped += len(parts) - len(good)
        if good:
            kept.append(" ".join(good))
    return "\n".join(kept), dropped


def safe_answer(product: Product) -> str:
    """Title-free answer text from description and further description, without the sentences
    that state amounts, percentages or phone numbers (those stay quoted with their source)."""
    text = "\n".join(p for p in (product.description, product.additional_description) if p)
    sentences = re.split(r"(?<=[.!?])\s+|\n+", text)
    kept = [s.strip() for s in sentences if s.strip() and not FORBIDDEN.search(s)]
    answer = ""
    for sentence in kept:
        candidate = f"{answer} {sentence}".strip()
        if len(candidate) > MAX_ANSWER:
            break
        answer = candidate
    return answer
