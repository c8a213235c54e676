"""Review-pending YAML per municipality and product (content/imports/ipdc/<nis>/<product>.yml),
officer approval, and the approved overrides the catalog serves."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.ipdc.mapping import FORBIDDEN, Product, safe_answer, without_facts

HEADER = """\
# Imported from the Flemish product catalogue (IPDC/LPDC) by `make import-ipdc`.
# Not shown to owners until an officer approves it (docs/ipdc-import.md):
#   python -m bot.ipdc approve <this file> --topic <topic id> --by "<your name>"
# The officer may edit override.answer first; the ipdc and details blocks are the catalogue's
# own data (details.costs are quotes, never recomputed) and are overwritten by the next import.
"""
STATUSES = ("pending", "approved", "rejected", "withdrawn")


class ImportFileError(ValueError):
    """An import file cannot be approved or read; the message names the file."""


@dataclass
class Summary:
    snapshots: int = 0
    products: int = 0
    written: list[Path] = field(default_factory=list)
    unchanged: int = 0
    withdrawn: list[Path] = field(default_factory=list)
    outside_scope: int = 0
    without_text: int = 0
    archived: int = 0

    def lines(self) -> list[str]:
        return [f"snapshots read: {self.snapshots}",
                f"products (latest version each): {self.products}",
                f"written for review: {len(self.written)}",
                f"unchanged since the last import: {self.unchanged}",
                f"withdrawn (archived in the catalogue): {len(self.withdrawn)}",
                f"archived, never imported: {self.archived}",
                f"skipped, no municipality of ours in their scope: {self.outside_scope}",
                f"skipped, no Dutch title: {self.without_text}"]


def guess_topic(title: str, topics: Mapping[str, str]) -> str | None:
    """Our topic id whose id (or a long part of it) occurs in the product title; the officer
    confirms it when approving."""
    words = re.sub(r"[^a-z]", " ", title.lower())
    squashed = words.replace(" ", "")
    for topic_id in sorted(topics, key=len, reverse=True):
        if topic_id.replace("_", "") in squashed:
            return topic_id
    for topic_id in sorted(topics):
        if any(len(part) >= 6 and part in words.split() for part in topic_id.split("_")):
            return topic_id
    return None


def _day(value: str | None) -> str | None:
    return value[:10] if value else None


def record(product: Product, nis: str, municipality: str, topic: str | None,
           today: date) -> dict[str, Any]:
    page = product.web_page
    cost_source = page.url if page else product.snapshot
    sources = [{"title": page.title, "url": page.url, "checked_on": None}] if page else []
    override: dict[str, Any] = {"mode": "extend", "example": False,
                                "answer": safe_answer(product) or None, "sources": sources}
    if product.start:
        override["valid_from"] = _day(product.start)
    if product.end:
        override["valid_until"] = _day(product.end)
    omitted = 0

    def clean(text: str) -> str | None:
        nonlocal omitted
        kept, dropped = without_facts(text)
        omitted += dropped
        return kept or None

    details: dict[str, Any] = {
        "title": product.title,
        "description": clean(product.description),
        "additional_description": clean(product.additional_description),
        "exceptions": clean(product.exceptions),
        "requirements": [t for t in map(clean, product.requirements) if t],
        "procedure": [t for t in map(clean, product.procedures) if t],
        "costs": [{"quote": cost, "source": cost_source} for cost in product.costs],
        "competent_authority": {"level": product.competent_level,
                                "authorities": list(product.competent_authorities)},
        "executing_authority": {"level": product.executing_level,
                                "authorities": list(product.executing_authorities)},
        "spatial": list(product.spatial),
        "web_page": page.url if page else None,
        "websites": [{"title": w.title, "url": w.url} for w in product.websites],
    }
    details["omitted_sentences"] = omitted
    return {
        "review_status": "pending",
        "topic": topic,
        "nis": nis,
        "municipality": municipality,
        "imported_on": today.isoformat(),
        "reviewed_by": None,
        "last_reviewed": None,
        "ipdc": {"product": product.product, "snapshot": product.snapshot,
                 "generated_at": product.generated_at, "product_number": product.product_number,
                 "product_type": product.product_type},
        "override": override,
        "details": details,
    }


def read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ImportFileError(f"{path}: {error}") from error
    if not isinstance(data, dict) or data.get("review_status") not in STATUSES:
        raise ImportFileError(f"{path}: not an import file (review_status missing)")
    return data


def write(path: Path, data: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False, width=100)
    path.write_text(HEADER + body, encoding="utf-8")


def write_imports(products: Iterable[Product], out_dir: Path, municipalities: Mapping[str, str],
                  topics: Mapping[str, str], today: date, snapshots: int = 0) -> Summary:
    summary = Summary(snapshots=snapshots)
    for product in products:
        summary.products += 1
        if not product.title and not product.archived:
            summary.without_text += 1
            continue
        ours = [n for n in product.nis_codes if n in municipalities]
        if not ours:
            summary.outside_scope += 1
            continue
        for nis in ours:
            path = out_dir / nis / f"{product.key}.yml"
            existing = read(path) if path.exists() else None
            if product.archived:
                if existing and existing["review_status"] != "withdrawn":
                    existing["review_status"] = "withdrawn"
                    write(path, existing)
                    summary.withdrawn.append(path)
                elif not existing:
                    summary.archived += 1
                continue
            if existing and existing.get("ipdc", {}).get("snapshot") == product.snapshot:
                summary.unchanged += 1
                continue
            topic = (existing or {}).get("topic") or guess_topic(product.title, topics)
            write(path, record(product, nis, municipalities[nis], topic, today))
            summary.written.append(path)
    return summary


def approve(path: Path, topic: str | None, by: str, today: date, topic_ids: Iterable[str]) -> None:
    """Officer approval: the override is then served for that municipality. The officer attests
    having compared the answer with the product's page (sources checked today)."""
    data = read(path)
    topic = topic or data.get("topic")
    if topic not in set(topic_ids):
        raise ImportFileError(f"{path}: give the topic this product belongs to (--topic)")
    if len(by.strip()) < 3:
        raise ImportFileError(f"{path}: --by needs the officer's name")
    override = data.get("override") or {}
    answer = str(override.get("answer") or "")
    if len(answer) < 20:
        raise ImportFileError(f"{path}: write override.answer (at least 20 characters) first")
    found = FORBIDDEN.search(answer)
    if found:
        raise ImportFileError(f"{path}: override.answer states {found.group(0)!r}; amounts, "
                           "percentages and phone numbers stay in details (quoted)")
    if not override.get("sources"):
        raise ImportFileError(f"{path}: the product has no https web page; add a source first")
    for source in override["sources"]:
        source["checked_on"] = today.isoformat()
    data.update(review_status="approved", topic=topic, reviewed_by=by.strip(),
                last_reviewed=today.isoformat())
    write(path, data)


def reject(path: Path, by: str, today: date) -> None:
    data = read(path)
    data.update(review_status="rejected", reviewed_by=by.strip(), last_reviewed=today.isoformat())
    write(path, data)


def approved_overrides(imports_dir: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(topic id, NIS, override) of every approved import, for the catalog."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    if not imports_dir.is_dir():
        return found
    for path in sorted(imports_dir.rglob("*.yml")):
        data = read(path)
        if data["review_status"] == "approved" and data.get("topic") and data.get("override"):
            found.append((str(data["topic"]), str(data["nis"]), dict(data["override"])))
    return found
