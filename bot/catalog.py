"""Knowledge catalog: officer-editable topic files in content/topics, validated by a schema."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import jsonschema
import yaml

SCHEMA_PATH = Path(__file__).parent / "schemas" / "topic.schema.json"
INTENT_PREFIX = "ask_"


class ContentError(ValueError):
    """A content file is invalid; the message names the file and the problem."""


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    checked_on: str | None = None  # ISO date a person compared this page with the answer


def brussels_today() -> date:
    """Answers change at midnight in Belgium, whatever the server's clock zone."""
    return datetime.now(ZoneInfo("Europe/Brussels")).date()


def parse_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def valid_on(day: date, valid_from: str | None, valid_until: str | None) -> bool:
    """True when `day` lies within [valid_from, valid_until]; an open bound is unbounded."""
    start, end = parse_day(valid_from), parse_day(valid_until)
    return (start is None or start <= day) and (end is None or day <= end)


@dataclass(frozen=True)
class Override:
    mode: str
    answer: str
    sources: tuple[Source, ...]
    example: bool
    valid_from: str | None = None
    valid_until: str | None = None
    origin: str = "topic"  # "topic" (the topic file) or "ipdc" (an approved catalogue import)


@dataclass(frozen=True)
class AnswerVersion:
    """One dated version of a topic's general answer."""

    answer: str
    sources: tuple[Source, ...]
    valid_from: str | None = None
    valid_until: str | None = None


@dataclass(frozen=True)
class LocalAnswer:
    """The answer text and sources shown for one municipality (or the general one)."""

    text: str
    sources: tuple[Source, ...]
    localized: bool
    example: bool


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    category: str
    product_type: str
    authority_level: str
    authority_name: str
    local: bool
    complex: bool
    answer: str
    sources: tuple[Source, ...]
    dossier_type: str | None = None
    external_application: Source | None = None
    related: tuple[str, ...] = ()
    last_reviewed: str | None = None
    reviewed_by: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    versions: tuple[AnswerVersion, ...] = ()
    how_to_apply: tuple[str, ...] = ()
    what_to_prepare: tuple[str, ...] = ()
    overrides: Mapping[str, Override] = field(default_factory=dict)

    @property
    def intent(self) -> str:
        return INTENT_PREFIX + self.id

    def general_answer(self, today: date | None = None) -> AnswerVersion | None:
        """The general answer that may be said on `today` (default: the real date), or None when
        every version has expired or has not started yet. Among valid versions the one with the
        latest valid_from wins (a known change replaces the old text on its start date)."""
        day = today or brussels_today()
        main = AnswerVersion(self.answer, self.sources, self.valid_from, self.valid_until)
        candidates = [v for v in (main, *self.versions)
                      if valid_on(day, v.valid_from, v.valid_until)]
        if not candidates:
            return None
        return max(candidates, key=lambda v: v.valid_from or "")

    def answer_for(self, nis: str | None, today: date | None = None) -> LocalAnswer | None:
        """The answer for one municipality (or the general one) on `today`; None when no answer
        is valid that day (the caller then routes to the counter instead of saying old rules)."""
        day = today or brussels_today()
        general = self.general_answer(day)
        override = self.overrides.get(nis) if nis else None
        if override is not None and not valid_on(day, override.valid_from, override.valid_until):
            override = None
        if override is None:
            if general is None:
                return None
            sources = general.sources or self.sources
            return LocalAnswer(general.answer.strip(), sources, localized=False, example=False)
        if override.mode == "replace" or general is None:
            text = override.answer.strip()
            sources = override.sources or (general.sources if general else self.sources)
        else:
            text = f"{general.answer.strip()}\n\n{override.answer.strip()}"
            sources = (general.sources or self.sources) + override.sources
        return LocalAnswer(text, sources, localized=True, example=override.example)


def _sources(items: Iterable[Mapping[str, Any]] | None) -> tuple[Source, ...]:
    return tuple(Source(item["title"], item["url"], _day(item.get("checked_on")))
                 for item in items or ())


def _day(value: Any) -> str | None:
    """YAML may give an unquoted date as datetime.date; keep ISO strings."""
    return None if value is None else str(value)


def topic_from_dict(data: Mapping[str, Any]) -> Topic:
    external = data.get("external_application")
    overrides = {
        str(nis): Override(o["mode"], o["answer"], _sources(o.get("sources")), bool(o["example"]),
                           _day(o.get("valid_from")), _day(o.get("valid_until")))
        for nis, o in (data.get("municipality_overrides") or {}).items()
    }
    versions = tuple(
        AnswerVersion(v["answer"], _sources(v.get("sources")), _day(v.get("valid_from")),
                      _day(v.get("valid_until")))
        for v in data.get("answer_versions") or ())
    return Topic(
        id=data["id"],
        title=data["title"],
        category=data["category"],
        product_type=data["product_type"],
        authority_level=data["competent_authority"]["level"],
        authority_name=data["competent_authority"]["name"],
        local=bool(data["local"]),
        complex=bool(data.get("complex", False)),
        answer=data["answer"],
        sources=_sources(data["sources"]),
        dossier_type=data.get("dossier_type"),
        external_application=Source(external["title"], external["url"]) if external else None,
        related=tuple(data.get("related") or ()),
        last_reviewed=_day(data.get("last_reviewed")),
        reviewed_by=data.get("reviewed_by"),
        valid_from=_day(data.get("valid_from")),
        valid_until=_day(data.get("valid_until")),
        versions=versions,
        how_to_apply=tuple(data.get("how_to_apply") or ()),
        what_to_prepare=tuple(data.get("what_to_prepare") or ()),
        overrides=overrides,
    )


def imported_overrides(imports_dir: Path, schema: Mapping[str, Any]
                       ) -> dict[str, dict[str, Override]]:
    """Approved catalogue imports by topic and NIS; pending, rejected and withdrawn ones are
    never served. An approved import replaces the topic file's own (example) override."""
    from bot.ipdc.writer import ImportFileError, approved_overrides

    override_schema = schema["properties"]["municipality_overrides"]["additionalProperties"]
    validator = jsonschema.Draft202012Validator({**override_schema, "$defs": schema["$defs"]})
    found: dict[str, dict[str, Override]] = {}
    try:
        approved = approved_overrides(imports_dir)
    except ImportFileError as error:
        raise ContentError(str(error)) from error
    for topic_id, nis, data in approved:
        errors = list(validator.iter_errors(data))
        if errors:
            raise ContentError(f"import {topic_id}/{nis}: {errors[0].message}")
        found.setdefault(topic_id, {})[nis] = Override(
            data["mode"], data["answer"], _sources(data.get("sources")), bool(data["example"]),
            _day(data.get("valid_from")), _day(data.get("valid_until")), origin="ipdc")
    return found


def with_overrides(topic: Topic, overrides: Mapping[str, Override]) -> Topic:
    if not overrides:
        return topic
    return replace(topic, overrides={**topic.overrides, **overrides})


def check_dates(topic: Topic, name: str) -> None:
    """Real calendar dates and valid_from <= valid_until everywhere; ContentError otherwise."""
    spans: list[tuple[str, str | None, str | None]] = [
        ("answer", topic.valid_from, topic.valid_until),
        *((f"answer_versions/{i}", v.valid_from, v.valid_until)
          for i, v in enumerate(topic.versions)),
        *((f"municipality_overrides/{nis}", o.valid_from, o.valid_until)
          for nis, o in topic.overrides.items()),
    ]
    dated = [("last_reviewed", topic.last_reviewed)]
    for source in (*topic.sources, *(s for v in topic.versions for s in v.sources),
                   *(s for o in topic.overrides.values() for s in o.sources)):
        dated.append((f"checked_on of {source.url}", source.checked_on))
    for where, start, end in spans:
        first, last = _checked_day(name, where, start), _checked_day(name, where, end)
        if first and last and first > last:
            raise ContentError(f"{name}: {where}: valid_from {start} is after valid_until {end}")
    for where, value in dated:
        _checked_day(name, where, value)


def _checked_day(name: str, where: str, value: str | None) -> date | None:
    try:
        return parse_day(value)
    except ValueError as error:
        raise ContentError(f"{name}: {where}: {error}") from error


class Catalog:
    def __init__(self, topics: Iterable[Topic]) -> None:
        self._topics = {topic.id: topic for topic in topics}

    @classmethod
    def load(cls, directory: Path, imports_dir: Path | None = None) -> Catalog:
        """Topic files of `directory`, plus the approved product catalogue imports of
        `imports_dir` (default: ../imports/ipdc next to the topics) as local overrides."""
        schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(schema)
        topics = []
        for path in sorted(directory.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
            if errors:
                first = errors[0]
                where = "/".join(str(p) for p in first.path) or "<root>"
                raise ContentError(f"{path.name}: {where}: {first.message}")
            if data["id"] != path.stem:
                raise ContentError(f"{path.name}: id {data['id']!r} must match the file name")
            topic = topic_from_dict(data)
            check_dates(topic, path.name)
            topics.append(topic)
        imported = imported_overrides(imports_dir or directory.parent / "imports" / "ipdc", schema)
        unknown = sorted(set(imported) - {topic.id for topic in topics})
        if unknown:
            raise ContentError(f"approved imports for unknown topics: {', '.join(unknown)}")
        return cls(with_overrides(topic, imported.get(topic.id, {})) for topic in topics)

    def get(self, topic_id: str | None) -> Topic | None:
        return self._topics.get(topic_id) if topic_id else None

    def for_intent(self, intent: str | None) -> Topic | None:
        if not intent or not intent.startswith(INTENT_PREFIX):
            return None
        return self._topics.get(intent[len(INTENT_PREFIX):])

    def ids(self) -> list[str]:
        return sorted(self._topics)

    def __len__(self) -> int:
        return len(self._topics)


# ---- review hygiene (used by the content tests and scripts/content_report.py) ----------------

BARE_PATHS = ("", "/", "/nl", "/nl/", "/en", "/en/")


def is_bare_home_page(url: str) -> bool:
    """A site's home page (empty path, "/" or a language root): it never says the fact itself."""
    parsed = urlparse(url)
    return parsed.path in BARE_PATHS and not parsed.query


def cited_sources(topic: Topic, include_examples: bool = False) -> list[Source]:
    """Every source a reply can show: general answer, its versions and (non-example) overrides."""
    sources = [*topic.sources, *(s for v in topic.versions for s in v.sources)]
    for override in topic.overrides.values():
        if include_examples or not override.example:
            sources.extend(override.sources)
    return sources


def review_problems(topic: Topic, today: date) -> list[str]:
    """What makes a topic's review claim dishonest. A topic that was never reviewed
    (last_reviewed null) is not a problem here; the content report lists it."""
    problems = []
    reviewed = parse_day(topic.last_reviewed)
    checked = [s for s in cited_sources(topic, include_examples=True) if s.checked_on]
    if reviewed and reviewed > today:
        problems.append(f"last_reviewed {topic.last_reviewed} is in the future")
    for source in checked:
        day = parse_day(source.checked_on)
        if day and day > today:
            problems.append(f"{source.url} checked_on {source.checked_on} is in the future")
        if day and reviewed and day > reviewed:
            problems.append(f"{source.url} was checked after the last review")
    if reviewed and not topic.reviewed_by:
        problems.append("last_reviewed without reviewed_by")
    if reviewed and not checked:
        problems.append("reviewed, but none of its sources was ever checked")
    if not reviewed and topic.reviewed_by:
        problems.append("reviewed_by without last_reviewed")
    return problems
