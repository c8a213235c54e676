"""Dossier types and the fields each one needs (content/dossier_types.yml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.paths import DEFAULT_CONTENT_DIR

DEFAULT_PATH = DEFAULT_CONTENT_DIR / "dossier_types.yml"
FIELD_KINDS = frozenset({"text", "date", "period", "surface", "count"})
APPLICANT_EXTRAS = frozenset({"phone", "enterprise_number"})


class DossierTypeError(ValueError):
    """content/dossier_types.yml is inconsistent; the message says where."""


@dataclass(frozen=True)
class DossierType:
    id: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    applicant_required: tuple[str, ...]
    kinds: Mapping[str, str]

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(self.required) | frozenset(self.optional)


def parse_dossier_types(data: Mapping[str, Any]) -> dict[str, DossierType]:
    kinds = dict(data.get("fields") or {})
    if bad := {name: kind for name, kind in kinds.items() if kind not in FIELD_KINDS}:
        raise DossierTypeError(f"unknown field kinds: {bad}")
    result: dict[str, DossierType] = {}
    for type_id, spec in (data.get("types") or {}).items():
        required = tuple(spec.get("required") or ())
        optional = tuple(spec.get("optional") or ())
        extras = tuple(spec.get("applicant_required") or ())
        if unknown := [name for name in (*required, *optional) if name not in kinds]:
            raise DossierTypeError(f"{type_id}: fields without a kind: {unknown}")
        if set(extras) - APPLICANT_EXTRAS:
            raise DossierTypeError(
                f"{type_id}: applicant_required may only list {sorted(APPLICANT_EXTRAS)}")
        result[type_id] = DossierType(type_id, required, optional, extras,
                                      {name: kinds[name] for name in (*required, *optional)})
    if not result:
        raise DossierTypeError("no dossier types defined")
    return result


def load_dossier_types(path: Path = DEFAULT_PATH) -> dict[str, DossierType]:
    with path.open(encoding="utf-8") as handle:
        return parse_dossier_types(yaml.safe_load(handle) or {})
