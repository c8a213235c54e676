"""Knowledge catalog: officer-editable topic files in content/topics, validated by a schema."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class Override:
    mode: str
    answer: str
    sources: tuple[Source, ...]
    example: bool


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
    last_reviewed: str = ""
    how_to_apply: tuple[str, ...] = ()
    what_to_prepare: tuple[str, ...] = ()
    overrides: Mapping[str, Override] = field(default_factory=dict)

    @property
    def intent(self) -> str:
        return INTENT_PREFIX + self.id

    def answer_for(self, nis: str | None) -> LocalAnswer:
        override = self.overrides.get(nis) if nis else None
        if override is None:
            return LocalAnswer(self.answer.strip(), self.sources, localized=False, example=False)
        if override.mode == "replace":
            text = override.answer.strip()
            sources = override.sources or self.sources
        else:
            text = f"{self.answer.strip()}\n\n{override.answer.strip()}"
            sources = self.sources + override.sources
        return LocalAnswer(text, sources, localized=True, example=override.example)


def _sources(items: Iterable[Mapping[str, str]] | None) -> tuple[Source, ...]:
    return tuple(Source(item["title"], item["url"]) for item in items or ())


def topic_from_dict(data: Mapping[str, Any]) -> Topic:
    external = data.get("external_application")
    overrides = {
        str(nis): Override(o["mode"], o["answer"], _sources(o.get("sources")), bool(o["example"]))
        for nis, o in (data.get("municipality_overrides") or {}).items()
    }
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
        last_reviewed=str(data["last_reviewed"]),
        how_to_apply=tuple(data.get("how_to_apply") or ()),
        what_to_prepare=tuple(data.get("what_to_prepare") or ()),
        overrides=overrides,
    )


class Catalog:
    def __init__(self, topics: Iterable[Topic]) -> None:
        self._topics = {topic.id: topic for topic in topics}

    @classmethod
    def load(cls, directory: Path) -> Catalog:
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
            topics.append(topic_from_dict(data))
        return cls(topics)

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
