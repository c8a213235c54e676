"""A dossier's fields as the owner gave them, labelled in Dutch: labels and value formats from
content/dossier_forms.yml (the same ones the owner confirmed in the chat), field order from
content/dossier_types.yml, month names from content/locale.yml."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.counters import load_tenant
from bot.dossiers.dossier_types import DossierType, load_dossier_types
from bot.dossiers.intake.summary import format_value
from bot.dossiers.intake.words import IntakeWords, load_intake

SLOT_PREFIX = "dossier_"
APPLICANT_SLOTS = (("name", "dossier_applicant_name"), ("enterprise_number",
                   "dossier_enterprise_number"), ("email", "dossier_email"),
                   ("phone", "dossier_phone"))


@dataclass(frozen=True)
class FieldBook:
    words: IntakeWords
    types: Mapping[str, DossierType]
    months: Sequence[str]

    def type_title(self, dossier_type: str) -> str:
        """"terrasvergunning" -> "Terras" (the button label the owner chose in the chat)."""
        info = self.words.types.get(dossier_type) or {}
        return str(info.get("button") or dossier_type)

    def label(self, dossier_type: str, slot: str) -> str:
        own = (self.words.types.get(dossier_type) or {}).get("labels") or {}
        return str(own.get(slot) or (self.words.fields.get(slot) or {}).get("label") or slot)

    def value(self, slot: str, value: Any, municipality: str | None = None) -> str:
        return format_value(slot, value, self.words, self.months, lambda _nis: municipality)

    def rows(self, dossier: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(label, value) for the municipality, every field of the type in the form's order
        (skipped optional ones too), fields the type no longer lists, and the applicant."""
        dossier_type = str(dossier.get("type") or "")
        fields = dossier.get("fields") or {}
        spec = self.types.get(dossier_type)
        order = [*spec.required, *spec.optional] if spec else []
        order += [name for name in fields if name not in order]
        municipality = (dossier.get("municipality") or {}).get("name")
        rows = [(self.label(dossier_type, "dossier_nis"), str(municipality or ""))]
        for name in order:
            slot = SLOT_PREFIX + name
            rows.append((self.label(dossier_type, slot), self.value(slot, fields.get(name))))
        applicant = dossier.get("applicant") or {}
        for key, slot in APPLICANT_SLOTS:
            if applicant.get(key) or key in ("name", "email"):
                rows.append((self.label(dossier_type, slot), self.value(slot, applicant.get(key))))
        return rows


@lru_cache(maxsize=64)
def counter_name(content_dir: Path, tenant: str, counter: str) -> str:
    """The counter's name from content/tenants/<tenant>.yml; its id when it is not there."""
    try:
        return load_tenant(content_dir / "tenants" / f"{tenant}.yml").counter(counter).name
    except (KeyError, OSError, ValueError):
        return counter


@lru_cache(maxsize=4)
def load_field_book(content_dir: Path) -> FieldBook:
    locale = yaml.safe_load((content_dir / "locale.yml").read_text(encoding="utf-8")) or {}
    return FieldBook(load_intake(content_dir / "dossier_forms.yml"),
                     load_dossier_types(content_dir / "dossier_types.yml"),
                     tuple(locale.get("months") or ()))
