"""Dossier forms as data: the slots each form asks (from the Rasa domain), what kind of value
each slot holds, and the submission the dossier service receives once the owner confirms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.dossiers.dossier_types import DossierType

CONFIRM = "dossier_confirmed"
EDIT = "dossier_edit_field"
SUBMISSION_KEY = "dossier_submission_key"
TYPE_SLOT = "dossier_type"
MUNICIPALITY = "dossier_nis"
SKIPPED = ""  # an optional question the owner skipped (a slot must be non-null to count)
FORM_SUFFIX = "_form"

# Slot -> kind of value; the slot without its `dossier_` prefix is the service's field name.
SLOT_KINDS: Mapping[str, str] = {
    "dossier_nis": "municipality",
    "dossier_business_name": "name",
    "dossier_address": "text",
    "dossier_period": "period",
    "dossier_surface": "surface",
    "dossier_description": "text",
    "dossier_event_name": "text",
    "dossier_location": "text",
    "dossier_expected_visitors": "count",
    "dossier_purpose": "text",
    "dossier_sign_description": "text",
    "dossier_sign_dimensions": "text",
    "dossier_products": "text",
    "dossier_opening_date": "date",
    "dossier_takeover": "text",
    "dossier_applicant_name": "name",
    "dossier_enterprise_number": "enterprise_number",
    "dossier_email": "email",
    "dossier_phone": "phone",
}
APPLICANT_SLOTS: Mapping[str, str] = {
    "dossier_applicant_name": "name",
    "dossier_email": "email",
    "dossier_phone": "phone",
    "dossier_enterprise_number": "enterprise_number",
}
# Slots whose answer is itself a question (the general question for the counter): a message
# phrased as a question is the answer there, not a question in between.
QUESTION_SLOTS: Mapping[str, frozenset[str]] = {
    "algemene_vraag": frozenset({"dossier_description"}),
}
# Slots cleared after a submission or a stop (personal data does not linger in the tracker).
FORM_STATE_SLOTS = (*SLOT_KINDS, CONFIRM, EDIT, SUBMISSION_KEY)


@dataclass(frozen=True)
class FormSpec:
    form: str
    dossier_type: str
    slots: tuple[str, ...]  # in asking order, ending with CONFIRM
    optional: frozenset[str]
    question_slots: frozenset[str] = frozenset()

    @property
    def fields(self) -> tuple[str, ...]:
        """The slots holding the owner's answers (without the confirmation)."""
        return tuple(slot for slot in self.slots if slot in SLOT_KINDS)


def form_name(dossier_type: str) -> str:
    return f"{dossier_type}{FORM_SUFFIX}"


def optional_slots(slots: tuple[str, ...], dossier_type: DossierType | None) -> frozenset[str]:
    """Slots the owner may skip: the type's optional fields and the applicant data it does not
    require (content/dossier_types.yml). Without a type definition only the phone is optional."""
    required_applicant = set(dossier_type.applicant_required) if dossier_type else set()
    optional_fields = set(dossier_type.optional) if dossier_type else set()
    result = set()
    for slot in slots:
        if slot in ("dossier_phone", "dossier_enterprise_number"):
            if APPLICANT_SLOTS[slot] not in required_applicant:
                result.add(slot)
        elif slot.removeprefix("dossier_") in optional_fields:
            result.add(slot)
    return frozenset(result)


def spec_from_domain(domain: Mapping[str, Any], dossier_type: str,
                     types: Mapping[str, DossierType]) -> FormSpec | None:
    """The form for a dossier type as the domain defines it; None when there is none."""
    form = (domain.get("forms") or {}).get(form_name(dossier_type))
    if not isinstance(form, Mapping):
        return None
    slots = tuple(form.get("required_slots") or ())
    return FormSpec(form_name(dossier_type), dossier_type, slots,
                    optional_slots(slots, types.get(dossier_type)),
                    QUESTION_SLOTS.get(dossier_type, frozenset()))


def missing(spec: FormSpec, values: Mapping[str, Any]) -> str | None:
    """The first slot of the form without a value (CONFIRM comes last)."""
    return next((slot for slot in spec.slots if values.get(slot) is None), None)


def filled(spec: FormSpec, values: Mapping[str, Any]) -> list[str]:
    return [slot for slot in spec.fields if values.get(slot) not in (None, SKIPPED)]


def build_submission(
    spec: FormSpec, values: Mapping[str, Any], *, tenant: str, counter: str,
    municipality: tuple[str, str], conversation_id: str | None,
) -> dict[str, Any]:
    """The JSON body of POST /api/dossiers for a confirmed form."""
    applicant: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for slot in spec.fields:
        value = values.get(slot)
        if value in (None, SKIPPED) or slot == MUNICIPALITY:
            continue
        if slot in APPLICANT_SLOTS:
            applicant[APPLICANT_SLOTS[slot]] = value
        else:
            fields[slot.removeprefix("dossier_")] = value
    nis, name = municipality
    return {"type": spec.dossier_type, "tenant": tenant, "counter": counter,
            "municipality": {"nis": nis, "name": name}, "applicant": applicant,
            "fields": fields, "conversation_id": conversation_id}


def dossier_view(dossier: Mapping[str, Any]) -> dict[str, Any]:
    """The reply contract's `dossier` value from the service's owner view."""
    municipality = dossier.get("municipality")
    name = municipality.get("name") if isinstance(municipality, Mapping) else municipality
    return {"reference": dossier.get("reference"), "type": dossier.get("type"),
            "status": dossier.get("status"), "municipality": name,
            "counter": dossier.get("counter")}
