"""Counters (loketten) of a tenant: who serves which municipality and topic, their contact data
and opening hours. Loaded from content/tenants/<tenant>.yml, validated against a JSON schema."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jsonschema
import yaml

from bot.catalog import ContentError
from bot.municipalities import Municipality

SCHEMA_PATH = Path(__file__).parent / "schemas" / "tenant.schema.json"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()
AGENCY_KINDS = frozenset({"regional_agency", "federal_service"})
LOCAL_KINDS = frozenset({"municipal_counter", "intermunicipal_officer", "province_team"})
ALL = "*"

CounterKind = Literal[
    "municipal_counter",
    "intermunicipal_officer",
    "province_team",
    "regional_agency",
    "federal_service",
]
Interval = tuple[time, time]


@dataclass(frozen=True)
class Contact:
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    web: str | None = None
    appointment_url: str | None = None


@dataclass(frozen=True)
class Counter:
    id: str
    name: str
    kind: CounterKind
    example: bool
    municipalities: frozenset[str] | None  # None = every municipality
    topics: frozenset[str] | None  # None = every topic
    provinces: frozenset[str] = frozenset()
    contact: Contact = field(default_factory=Contact)
    opening_hours: Mapping[int, tuple[Interval, ...]] = field(default_factory=dict)  # by weekday
    closed_days: frozenset[date] = frozenset()
    timezone: str = "Europe/Brussels"

    @property
    def is_agency(self) -> bool:
        return self.kind in AGENCY_KINDS

    @property
    def has_hours(self) -> bool:
        return any(self.opening_hours.values())

    def handles(self, topic_id: str | None) -> bool:
        return self.topics is None or (topic_id is not None and topic_id in self.topics)

    def specificity(self, municipality: Municipality) -> int:
        """How specifically this counter serves the municipality: 3 by NIS code, 2 by province,
        1 as a catch-all, 0 not at all."""
        if self.municipalities is not None and municipality.nis in self.municipalities:
            return 3
        if municipality.province in self.provinces:
            return 2
        return 1 if self.municipalities is None else 0


@dataclass(frozen=True)
class RetentionDays:
    """How many days each kind of data is kept (`retention_days` in the tenant file); the purge
    job (bot/retention.py) deletes what is older. `closed_dossiers` is the tenant's own choice
    (its archive rules); None = not set, the dossier service keeps them."""

    conversations: int = 90  # Rasa's tracker store (and the local SQL event broker)
    handoff_transcripts: int = 90  # hand-off requests and the officers' messages
    feedback: int = 365
    analytics_texts: int = 90  # masked texts of unanswered messages in the insights store
    audit: int = 730  # the officers' audit log
    closed_dossiers: int | None = None


@dataclass(frozen=True)
class Tenant:
    id: str
    name: str
    reference_prefix: str
    timezone: str
    default_counter_id: str
    counters: tuple[Counter, ...]
    retention: RetentionDays = field(default_factory=RetentionDays)
    review_interval_months: int = 6  # a topic reviewed longer ago is due for review

    @property
    def default_counter(self) -> Counter:
        return self.counter(self.default_counter_id)

    def counter(self, counter_id: str) -> Counter:
        for counter in self.counters:
            if counter.id == counter_id:
                return counter
        raise KeyError(counter_id)

    def agency_for(self, topic_id: str | None) -> Counter | None:
        """The regional or federal agency that explicitly lists this topic."""
        if topic_id is None:
            return None
        return next(
            (c for c in self.counters if c.is_agency and c.topics and topic_id in c.topics), None
        )

    def local_counter(
        self, municipality: Municipality, topic_id: str | None = None
    ) -> Counter | None:
        """The most specific municipal, intermunicipal or province counter for the municipality
        (first in file order on a tie)."""
        best: Counter | None = None
        best_score = 0
        for counter in self.counters:
            if counter.kind not in LOCAL_KINDS or not counter.handles(topic_id):
                continue
            score = counter.specificity(municipality)
            if score > best_score:
                best, best_score = counter, score
        return best


def load_tenant(path: Path) -> Tenant:
    """Read and validate a tenant file; ContentError names the file and what is wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"{path}: cannot read tenant file: {error}") from error
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path)
    )
    if errors:
        details = "; ".join(f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in errors)
        raise ContentError(f"{path}: {details}")
    try:
        return _build(data)
    except (ValueError, ZoneInfoNotFoundError) as error:
        raise ContentError(f"{path}: {error}") from error


def _build(data: Mapping[str, Any]) -> Tenant:
    zone = str(data["timezone"])
    ZoneInfo(zone)
    holidays = _dates(data.get("public_holidays", []), "public_holidays")
    counters = tuple(_counter(item, zone, holidays) for item in data["counters"])
    ids = [c.id for c in counters]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate counter ids: {', '.join(duplicates)}")
    if data["default_counter"] not in ids:
        raise ValueError(f"default_counter {data['default_counter']!r} is not a counter id")
    return Tenant(
        id=data["id"],
        name=data["name"],
        reference_prefix=data["reference_prefix"],
        timezone=zone,
        default_counter_id=data["default_counter"],
        counters=counters,
        retention=RetentionDays(**data.get("retention_days", {})),
        review_interval_months=int(data.get("review_interval_months", 6)),
    )


def _counter(item: Mapping[str, Any], zone: str, holidays: frozenset[date]) -> Counter:
    hours = {
        WEEKDAYS.index(day): tuple(_interval(text, item["id"]) for text in intervals)
        for day, intervals in item.get("opening_hours", {}).items()
    }
    municipalities, topics = item["municipalities"], item["topics"]
    return Counter(
        id=item["id"],
        name=item["name"],
        kind=item["kind"],
        example=item["example"],
        municipalities=None if municipalities == ALL else frozenset(municipalities),
        topics=None if topics == ALL else frozenset(topics),
        provinces=frozenset(item.get("provinces", [])),
        contact=Contact(**item.get("contact", {})),
        opening_hours=hours,
        closed_days=holidays | _dates(item.get("closed_days", []), item["id"]),
        timezone=zone,
    )


END_OF_DAY = "24:00"  # "00:00-24:00" is the whole day, midnight included


def _interval(text: str, counter_id: str) -> Interval:
    start_text, end_text = text.split("-")
    start = time.fromisoformat(start_text)
    end = time.max if end_text == END_OF_DAY else time.fromisoformat(end_text)
    if start >= end:
        raise ValueError(f"counter {counter_id}: opening interval {text} ends before it starts")
    return start, end


def _dates(values: list[str], where: str) -> frozenset[date]:
    try:
        return frozenset(date.fromisoformat(value) for value in values)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from error
