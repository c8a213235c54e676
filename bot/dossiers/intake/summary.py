"""The summary the owner confirms before anything is submitted, with labels and formats from
content/dossier_forms.yml and month names from content/locale.yml."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date
from typing import Any

from bot.dossiers.formatting import format_decimal, format_phone
from bot.dossiers.intake.forms import SKIPPED, SLOT_KINDS, FormSpec
from bot.dossiers.intake.words import IntakeWords


def format_date(iso: str, words: IntakeWords, months: Sequence[str]) -> str:
    day = date.fromisoformat(iso)
    return words.formats["date"].format(day=day.day, month=months[day.month - 1], year=day.year)


def format_value(slot: str, value: Any, words: IntakeWords, months: Sequence[str],
                 municipality_name: Callable[[str], str | None]) -> str:
    formats = words.formats
    if value in (None, SKIPPED):
        return formats["skipped"]
    kind = SLOT_KINDS.get(slot)
    if kind == "municipality":
        return municipality_name(str(value)) or str(value)
    if kind == "period" and isinstance(value, Mapping):
        start = format_date(str(value["start"]), words, months)
        if value["start"] == value["end"]:
            return formats["single_day"].format(start=start)
        return formats["period"].format(start=start, end=format_date(str(value["end"]), words,
                                                                      months))
    if kind == "date":
        return format_date(str(value), words, months)
    if kind == "surface":
        return formats["surface"].format(value=format_decimal(float(value)))
    if kind == "count":
        return formats["count"].format(value=value)
    if kind == "phone":
        return format_phone(str(value))
    return str(value)


def summary_text(spec: FormSpec, values: Mapping[str, Any], words: IntakeWords,
                 months: Sequence[str], municipality_name: Callable[[str], str | None],
                 only: Collection[str] | None = None) -> str:
    """One line per field of the form (or per field in `only`), in the form's order."""
    lines = []
    own_labels = (words.types.get(spec.dossier_type) or {}).get("labels") or {}
    for slot in spec.fields:
        if only is not None and slot not in only:
            continue
        label = own_labels.get(slot) or (words.fields.get(slot) or {}).get("label", slot)
        value = format_value(slot, values.get(slot), words, months, municipality_name)
        lines.append(words.formats["line"].format(label=label, value=value))
    return "\n".join(lines)
