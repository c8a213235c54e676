"""The dossier list as CSV for a spreadsheet: `;`-separated with a UTF-8 byte-order mark (how
Excel in Belgium opens it), and no cell that a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.backoffice.fields import FieldBook
from bot.backoffice.views import local_time, status_label, waited

COLUMNS = ("reference", "type", "municipality", "counter", "applicant", "enterprise_number",
           "email", "phone", "submitted", "status", "assignee", "waited")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A leading apostrophe keeps `=HYPERLINK(...)` and the like as text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def dossiers_csv(texts: Mapping[str, str], book: FieldBook,
                 dossiers: Sequence[Mapping[str, Any]], now: datetime) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([texts[f"csv_{column}"] for column in COLUMNS])
    for dossier in dossiers:
        applicant = dossier.get("applicant") or {}
        row = {
            "reference": dossier.get("reference"),
            "type": book.type_title(str(dossier.get("type"))),
            "municipality": (dossier.get("municipality") or {}).get("name"),
            "counter": dossier.get("counter"),
            "applicant": applicant.get("name"),
            "enterprise_number": applicant.get("enterprise_number"),
            "email": applicant.get("email"),
            "phone": applicant.get("phone"),
            "submitted": local_time(dossier.get("created_at")),
            "status": status_label(texts, dossier.get("status")),
            "assignee": (dossier.get("assignee") or {}).get("name"),
            "waited": waited(texts, dossier, now),
        }
        writer.writerow([safe_cell(row[column]) for column in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
