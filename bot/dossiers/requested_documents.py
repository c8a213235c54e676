"""The documents each dossier type asks for (content/requested_documents.yml, validated against
bot/schemas/requested_documents.schema.json) and the chat text that lists them.

What a type asks for is what the municipality usually needs, not a legal list: the counter
stays the authority and asks for more through "aanvullende info nodig"."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import jsonschema
import yaml

from bot.catalog import ContentError
from bot.paths import DEFAULT_CONTENT_DIR

DEFAULT_PATH = DEFAULT_CONTENT_DIR / "requested_documents.yml"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / \
    "requested_documents.schema.json"
Channel = Literal["web", "messaging", "no_files"]
# The web chat's and the widget's file button (bot/web/static/documents.js, widget.js); with
# {"requested_document": id} it tells the upload which requested document the file is.
DOCUMENT_PAYLOAD = "/add_dossier_document"


def document_payload(document_id: str | None = None) -> str:
    """The file button's payload, for one requested document or (None) for any document."""
    if document_id is None:
        return DOCUMENT_PAYLOAD
    return DOCUMENT_PAYLOAD + json.dumps({"requested_document": document_id},
                                         separators=(",", ":"))


@dataclass(frozen=True)
class RequestedDocument:
    id: str
    label: str
    hint: str
    required: bool


@dataclass(frozen=True)
class RequestedDocuments:
    by_type: Mapping[str, tuple[RequestedDocument, ...]]
    texts: Mapping[str, str]

    def for_type(self, dossier_type: str) -> tuple[RequestedDocument, ...]:
        """The type's documents, the required ones first (each group in the file's order)."""
        documents = self.by_type.get(dossier_type, ())
        return tuple(sorted(documents, key=lambda document: not document.required))

    def line(self, document: RequestedDocument) -> str:
        template = self.texts["line_required" if document.required else "line_optional"]
        return template.replace("{label}", document.label).replace("{hint}", document.hint)

    def message(self, dossier_type: str, reference: str, channel: Channel) -> str | None:
        """What the owner reads right after submitting; None when the type asks for nothing."""
        documents = self.for_type(dossier_type)
        if not documents:
            return None
        return self._fill(self.texts[f"intro_{channel}"], documents, reference)

    def offer(self, documents: Iterable[RequestedDocument], reference: str) -> str | None:
        """The web chat's answer to "Document toevoegen" later: which of `documents` (those not
        received yet) the owner adds; None when there are none."""
        listed = tuple(documents)
        return self._fill(self.texts["offer_web"], listed, reference) if listed else None

    def _fill(self, template: str, documents: tuple[RequestedDocument, ...],
              reference: str) -> str:
        lines = "\n".join(self.line(document) for document in documents)
        return template.replace("{documents}", lines).replace("{reference}", reference)

    def buttons(self, documents: Iterable[RequestedDocument]) -> list[dict[str, str]]:
        """A file button per requested document, then one for any other document."""
        return [*({"title": self.texts["button_document"].replace("{label}", document.label),
                   "payload": document_payload(document.id)} for document in documents),
                {"title": self.texts["button_other"], "payload": document_payload()}]


def parse_requested_documents(data: Any, source: str = "requested_documents.yml",
                              dossier_types: Iterable[str] | None = None) -> RequestedDocuments:
    """Validate the file's data; ContentError names the file and every problem. With
    `dossier_types`, every type must be listed and no other."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data),
                    key=lambda error: list(map(str, error.path)))
    if errors:
        details = "; ".join(f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}"
                            for e in errors)
        raise ContentError(f"{source}: {details}")
    by_type: dict[str, tuple[RequestedDocument, ...]] = {}
    for type_id, items in data["types"].items():
        documents = tuple(RequestedDocument(str(i["id"]), str(i["label"]).strip(),
                                            str(i["hint"]).strip(), bool(i["required"]))
                          for i in items)
        ids = [document.id for document in documents]
        if duplicates := sorted({i for i in ids if ids.count(i) > 1}):
            raise ContentError(f"{source}: types/{type_id}: duplicate document ids "
                               f"{', '.join(duplicates)}")
        by_type[type_id] = documents
    if dossier_types is not None:
        known = set(dossier_types)
        if unknown := sorted(set(by_type) - known):
            raise ContentError(f"{source}: not a dossier type of dossier_types.yml: "
                               f"{', '.join(unknown)}")
        if missing := sorted(known - set(by_type)):
            raise ContentError(f"{source}: dossier types without a document list (use [] for "
                               f"none): {', '.join(missing)}")
    return RequestedDocuments(by_type, {str(k): str(v) for k, v in data["texts"].items()})


@lru_cache(maxsize=4)
def load_requested_documents(path: Path = DEFAULT_PATH) -> RequestedDocuments:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"{path}: cannot read: {error}") from error
    return parse_requested_documents(data, str(path))
