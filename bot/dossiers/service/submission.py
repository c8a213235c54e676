"""Validation of a submission (the JSON body of POST /api/dossiers) into a `NewDossier`."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from bot.dossiers.dossier_types import DossierType
from bot.dossiers.models import Applicant, NewDossier
from bot.validators import (
    Invalid,
    ValidationResult,
    validate_email,
    validate_enterprise_number,
    validate_name,
    validate_phone,
)

SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
NIS = re.compile(r"\d{5}")
MAX_TEXT = 2000
Error = dict[str, str]


class SubmissionError(ValueError):
    def __init__(self, errors: list[Error]) -> None:
        super().__init__(", ".join(f"{e['field']}: {e['code']}" for e in errors))
        self.errors = errors


def _text(value: Any, limit: int = MAX_TEXT) -> str | None:
    if isinstance(value, str) and value.strip() and len(value) <= limit:
        return value.strip()
    return None


def _field_value(kind: str, value: Any) -> tuple[Any, str | None]:
    """(normalised value, error code or None) for one field of the given kind."""
    if kind == "text":
        text = _text(value)
        return text, None if text else "text_invalid"
    if kind in ("surface", "count"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            return None, f"{kind}_invalid"
        if kind == "count" and not float(value).is_integer():
            return None, "count_invalid"
        return (int(value) if kind == "count" else float(value)), None
    if kind == "date":
        try:
            return date.fromisoformat(value).isoformat(), None
        except (TypeError, ValueError):
            return None, "date_invalid"
    if kind == "period":
        try:
            start = date.fromisoformat(value["start"])
            end = date.fromisoformat(value["end"])
        except (TypeError, KeyError, ValueError):
            return None, "period_invalid"
        if end < start:
            return None, "period_end_before_start"
        return {"start": start.isoformat(), "end": end.isoformat()}, None
    return None, "kind_unknown"


def _check(errors: list[Error], name: str, result: ValidationResult[str]) -> str | None:
    if isinstance(result, Invalid):
        errors.append({"field": name, "code": result.code})
        return None
    return result.value


def _applicant(data: Any, dossier_type: DossierType | None, errors: list[Error]) -> Applicant:
    data = data if isinstance(data, Mapping) else {}
    optional: dict[str, Callable[[str], ValidationResult[str]]] = {
        "phone": validate_phone, "enterprise_number": validate_enterprise_number,
    }
    values: dict[str, str | None] = {}
    for key, validator in optional.items():
        raw = data.get(key)
        needed = dossier_type is not None and key in dossier_type.applicant_required
        if raw in (None, ""):
            values[key] = None
            if needed:
                errors.append({"field": f"applicant.{key}", "code": "required"})
            continue
        values[key] = _check(errors, f"applicant.{key}", validator(str(raw)))
    name = _check(errors, "applicant.name", validate_name(str(data.get("name") or "")))
    email = _check(errors, "applicant.email", validate_email(str(data.get("email") or "")))
    return Applicant(name or "", email or "", values["phone"], values["enterprise_number"])


def _fields(data: Any, dossier_type: DossierType, errors: list[Error]) -> dict[str, Any]:
    data = data if isinstance(data, Mapping) else {}
    result: dict[str, Any] = {}
    for name in sorted(set(data) - dossier_type.allowed):
        errors.append({"field": f"fields.{name}", "code": "unknown_field"})
    for name in (*dossier_type.required, *dossier_type.optional):
        if data.get(name) in (None, ""):
            if name in dossier_type.required:
                errors.append({"field": f"fields.{name}", "code": "required"})
            continue
        value, code = _field_value(dossier_type.kinds[name], data[name])
        if code:
            errors.append({"field": f"fields.{name}", "code": code})
        else:
            result[name] = value
    return result


def parse_submission(payload: Any, types: Mapping[str, DossierType]) -> NewDossier:
    """Raises SubmissionError listing every problem (field path + English code)."""
    if not isinstance(payload, Mapping):
        raise SubmissionError([{"field": "", "code": "object_expected"}])
    errors: list[Error] = []
    dossier_type = types.get(str(payload.get("type")))
    if dossier_type is None:
        errors.append({"field": "type", "code": "unknown_type"})
    slugs = {key: str(payload.get(key) or "") for key in ("tenant", "counter")}
    for key, value in slugs.items():
        if not SLUG.fullmatch(value):
            errors.append({"field": key, "code": "slug_invalid"})
    municipality = payload.get("municipality")
    municipality = municipality if isinstance(municipality, Mapping) else {}
    nis = str(municipality.get("nis") or "")
    if not NIS.fullmatch(nis):
        errors.append({"field": "municipality.nis", "code": "nis_invalid"})
    municipality_name = _text(municipality.get("name"), 100)
    if not municipality_name:
        errors.append({"field": "municipality.name", "code": "required"})
    applicant = _applicant(payload.get("applicant"), dossier_type, errors)
    fields = _fields(payload.get("fields"), dossier_type, errors) if dossier_type else {}
    conversation_id = payload.get("conversation_id")
    if conversation_id is not None and not _text(conversation_id, 200):
        errors.append({"field": "conversation_id", "code": "text_invalid"})
    if errors:
        raise SubmissionError(errors)
    assert dossier_type is not None and municipality_name is not None
    return NewDossier(dossier_type.id, slugs["tenant"], slugs["counter"], nis, municipality_name,
                      applicant, fields, conversation_id)


def submission_hash(new: NewDossier) -> str:
    """Fingerprint of the validated content, to detect an idempotency key reused for other data."""
    canonical = {
        "type": new.type, "tenant": new.tenant, "counter": new.counter,
        "nis": new.municipality_nis, "applicant": new.applicant.as_dict(), "fields": new.fields,
    }
    encoded = json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()
