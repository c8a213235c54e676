"""The owner's e-mails, composed from content/mail.yml when a dossier is created or changes
status, and stored in the mail outbox in the same transaction (so none is lost or doubled).

Labels and value formats are those the owner confirmed in the chat (content/dossier_forms.yml),
month names from content/locale.yml, the counter's name and e-mail address from
content/tenants/<tenant>.yml. Owner and officer text is inserted in one pass, so braces in it
are never read as placeholders."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import make_msgid
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.counters import load_tenant
from bot.dossiers.dossier_types import DossierType, load_dossier_types
from bot.dossiers.formatting import format_decimal, format_phone
from bot.dossiers.models import Dossier, NewDossier
from bot.dossiers.service.mail_model import OutgoingMail
from bot.paths import DEFAULT_CONTENT_DIR

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
APPLICANT_FIELDS = (("name", "dossier_applicant_name"),
                    ("enterprise_number", "dossier_enterprise_number"),
                    ("email", "dossier_email"), ("phone", "dossier_phone"))


def fill(template: str, **values: Any) -> str:
    """Replace {name} placeholders in one pass; unknown ones stay as they are."""
    return _PLACEHOLDER.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], template)


def tidy(text: str) -> str:
    return _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("\n", text)).strip() + "\n"




@dataclass(frozen=True)
class MailTexts:
    mail: Mapping[str, Any]
    forms: Mapping[str, Any]
    months: tuple[str, ...]
    types: Mapping[str, DossierType]
    content_dir: Path
    sender_domain: str = "ondernemersloket.example.be"

    # --- pieces --------------------------------------------------------------------------
    def type_title(self, dossier_type: str) -> str:
        return str(((self.forms.get("types") or {}).get(dossier_type) or {}).get("title")
                   or dossier_type)

    def label(self, dossier_type: str, slot: str) -> str:
        own = ((self.forms.get("types") or {}).get(dossier_type) or {}).get("labels") or {}
        return str(own.get(slot) or ((self.forms.get("fields") or {}).get(slot) or {})
                   .get("label") or slot)

    def _date(self, iso: str) -> str:
        day = date.fromisoformat(iso)
        formats = self.forms.get("formats") or {}
        return fill(str(formats.get("date", "{day}/{month}/{year}")), day=day.day,
                    month=self.months[day.month - 1] if self.months else day.month,
                    year=day.year)

    def value(self, kind: str | None, value: Any) -> str:
        formats = self.forms.get("formats") or {}
        if value in (None, ""):
            return str(formats.get("skipped", "-"))
        if kind == "period" and isinstance(value, Mapping):
            start = self._date(str(value["start"]))
            if value["start"] == value["end"]:
                return fill(str(formats.get("single_day", "{start}")), start=start)
            return fill(str(formats.get("period", "{start} - {end}")), start=start,
                        end=self._date(str(value["end"])))
        if kind == "date":
            return self._date(str(value))
        if kind == "surface":
            return fill(str(formats.get("surface", "{value}")), value=format_decimal(float(value)))
        if kind == "count":
            return fill(str(formats.get("count", "{value}")), value=value)
        return str(value)

    def summary(self, dossier_type: str, municipality: str, fields: Mapping[str, Any],
                applicant: Mapping[str, Any]) -> str:
        spec = self.types.get(dossier_type)
        order = [*spec.required, *spec.optional] if spec else list(fields)
        kinds = spec.kinds if spec else {}
        line = str(self.mail.get("summary_line", "- {label}: {value}"))
        rows = [(self.label(dossier_type, "dossier_nis"), municipality)]
        rows += [(self.label(dossier_type, "dossier_" + name),
                  self.value(kinds.get(name), fields.get(name))) for name in order]
        rows += [(self.label(dossier_type, slot),
                  format_phone(str(applicant[key])) if key == "phone" else str(applicant[key]))
                 for key, slot in APPLICANT_FIELDS if applicant.get(key)]
        return "\n".join(fill(line, label=label, value=value) for label, value in rows)

    def counter(self, tenant: str, counter_id: str) -> tuple[str, str | None]:
        """(name, e-mail address or None) of the counter, from the tenant file."""
        try:
            found = _tenant(self.content_dir / "tenants" / f"{tenant}.yml").counter(counter_id)
        except (KeyError, OSError, ValueError):
            return counter_id, None
        return found.name, found.contact.email

    def _contact(self, email: str | None, reference: str) -> str:
        return fill(str(self.mail.get("contact", "")), email=email, reference=reference) \
            if email else ""

    def _message_id(self) -> str:
        return make_msgid(domain=self.sender_domain)

    # --- the mails -----------------------------------------------------------------------
    def confirmation(self, reference: str, new: NewDossier, now: datetime) -> OutgoingMail:
        name, email = self.counter(new.tenant, new.counter)
        values = {"name": new.applicant.name, "reference": reference,
                  "type_title": self.type_title(new.type), "counter_name": name,
                  "summary": self.summary(new.type, new.municipality_name, new.fields,
                                          new.applicant.as_dict()),
                  "contact": self._contact(email, reference)}
        texts = self.mail["confirmation"]
        return OutgoingMail(f"{reference}/submitted", reference, "submitted",
                            new.applicant.email, fill(str(texts["subject"]), **values),
                            tidy(fill(str(texts["body"]), **values)), self._message_id(), now)

    def status_change(self, dossier: Dossier, new_status: str, note: str | None, seq: int,
                      now: datetime) -> OutgoingMail:
        name, email = self.counter(dossier.tenant, dossier.counter)
        reference = dossier.reference
        base = {"name": dossier.applicant.name, "reference": reference,
                "type_title": self.type_title(dossier.type), "counter_name": name,
                "status": (self.mail.get("statuses") or {}).get(new_status, new_status)}
        next_step = fill(str((self.mail.get("next_steps") or {}).get(new_status, "")), **base)
        note_text = fill(str(self.mail.get("note", "")), counter_name=name, note=note) \
            if note else ""
        values = {**base, "note": note_text, "next_step": next_step,
                  "contact": self._contact(email, reference)}
        texts = self.mail["status_change"]
        return OutgoingMail(f"{reference}/status/{seq}", reference, "status",
                            dossier.applicant.email, fill(str(texts["subject"]), **base),
                            tidy(fill(str(texts["body"]), **values)), self._message_id(), now)


@lru_cache(maxsize=8)
def _tenant(path: Path) -> Any:
    return load_tenant(path)


def _yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    return data


def load_mail_texts(content_dir: Path = DEFAULT_CONTENT_DIR,
                    sender_domain: str = "ondernemersloket.example.be") -> MailTexts:
    locale = _yaml(content_dir / "locale.yml")
    mail = _yaml(content_dir / "mail.yml")
    for kind in ("confirmation", "status_change"):
        part = mail.get(kind)
        if not isinstance(part, dict) or not part.get("subject") or not part.get("body"):
            raise ValueError(f"{content_dir / 'mail.yml'}: {kind} needs a subject and a body")
    return MailTexts(mail, _yaml(content_dir / "dossier_forms.yml"),
                     tuple(locale.get("months") or ()),
                     load_dossier_types(content_dir / "dossier_types.yml"), content_dir,
                     sender_domain)
