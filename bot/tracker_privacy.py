"""What the conversation store keeps of personal data, on Rasa's event dicts (plain Python; the
Rasa tracker store in connectors/tracker_store.py applies it).

* Every stored or published user and bot text is masked (`mask_event`): e-mail, phone,
  rijksregisternummer, IBAN and enterprise numbers become placeholders. The running turn still
  sees the real text, and the answers a form needs live in its slots.
* When a form forgets its answers (a personal slot reset to None after a dossier is submitted
  or stopped), the stored events that carried them are rewritten (`scrub`): the slot values,
  the owner's answers to those questions and the summary shown before confirming. The dossier
  service is then the only place that keeps them."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.privacy import mask_pii

REMOVED = "[removed]"
# Answers that may identify a person or a business. Not the municipality, the dossier type or
# the technical keys, which the conversation and the dossier reference still need.
PERSONAL_SLOTS = frozenset({
    "dossier_business_name", "dossier_address", "dossier_description", "dossier_event_name",
    "dossier_location", "dossier_purpose", "dossier_sign_description", "dossier_sign_dimensions",
    "dossier_products", "dossier_opening_date", "dossier_takeover", "dossier_applicant_name",
    "dossier_enterprise_number", "dossier_email", "dossier_phone", "dossier_status_email",
    "handoff_contact", "dossier_answer_text",
})
# Bot messages that repeat the answers (the summary before confirming).
REPEATING_RESPONSES = frozenset({"utter_dossier_summary"})


def public_contacts(tenants_dir: Path) -> frozenset[str]:
    """The counters' own published e-mail addresses and phone numbers (content/tenants): not
    personal data, and a contact card must still show them when the transcript is read back."""
    found: set[str] = set()
    for path in sorted(tenants_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for counter in data.get("counters") or []:
            contact = (counter or {}).get("contact") or {}
            found.update(str(contact[key]) for key in ("email", "phone") if contact.get(key))
    return frozenset(found)


def _mask(text: str, keep: frozenset[str]) -> str:
    kept = [value for value in keep if value in text]
    for index, value in enumerate(kept):
        text = text.replace(value, f"\x00{index}\x00")
    text = mask_pii(text)
    for index, value in enumerate(kept):
        text = text.replace(f"\x00{index}\x00", value)
    return text


def _mask_values(value: Any, keep: frozenset[str]) -> Any:
    if isinstance(value, str):
        return _mask(value, keep)
    if isinstance(value, dict):
        return {key: _mask_values(item, keep) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_values(item, keep) for item in value]
    return value


def mask_event(event: Mapping[str, Any], keep: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A copy of the event with every free text masked, except the published contact data in
    `keep`."""
    masked = copy.deepcopy(dict(event))
    if masked.get("event") in ("user", "bot") and isinstance(masked.get("text"), str):
        masked["text"] = _mask(masked["text"], keep)
    if masked.get("event") == "bot":
        # A response's variables travel in its metadata (and buttons in its data): an e-mail
        # address filled into a sentence is as personal there as in the text.
        for key in ("metadata", "data"):
            masked[key] = _mask_values(masked.get(key), keep)
    parse_data = masked.get("parse_data")
    if isinstance(parse_data, dict) and isinstance(parse_data.get("text"), str):
        parse_data["text"] = _mask(parse_data["text"], keep)
    return masked


ERASE_SLOT = "erase_conversation"


def erases_conversation(events: Iterable[Mapping[str, Any]]) -> bool:
    """The erasure action ran in this turn (actions/erasure.py)."""
    return any(e.get("event") == "slot" and e.get("name") == ERASE_SLOT and e.get("value")
               is True for e in events)


def for_broker(event: Mapping[str, Any], keep: frozenset[str] = frozenset()) -> dict[str, Any]:
    """What leaves through the event broker: the masked event, without the values of personal
    slots (no consumer of the stream needs them; the dossier service has them)."""
    published = mask_event(event, keep)
    if published.get("event") == "slot" and published.get("name") in PERSONAL_SLOTS \
            and published.get("value") is not None:
        published["value"] = REMOVED
    return published


def forgets_personal_data(events: Iterable[Mapping[str, Any]], form_active: bool) -> bool:
    """A personal slot was reset in this turn and no form is running any more: the form is
    over (submitted, stopped or handed over). A reset while the form runs is a question asked
    again (a wrong answer, a correction), and the answers are still needed."""
    return not form_active and any(
        e.get("event") == "slot" and e.get("name") in PERSONAL_SLOTS and e.get("value") is None
        for e in events)


def _response_of(event: Mapping[str, Any]) -> str | None:
    metadata = event.get("metadata") or {}
    return metadata.get("utter_action") if isinstance(metadata, dict) else None


def scrub(events: list[dict[str, Any]]) -> list[int]:
    """Rewrite, in place, the events that carry personal answers; return their indices."""
    changed: list[int] = []
    requested: str | None = None
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif kind == "active_loop" and not event.get("name"):
            requested = None
        if kind == "slot" and event.get("name") in PERSONAL_SLOTS \
                and event.get("value") not in (None, REMOVED):
            event["value"] = REMOVED
            changed.append(index)
        elif kind == "user" and requested in PERSONAL_SLOTS and event.get("text") != REMOVED:
            event["text"] = REMOVED
            parse_data = event.get("parse_data")
            if isinstance(parse_data, dict):
                parse_data["text"] = REMOVED
                parse_data["entities"] = []
            changed.append(index)
        elif kind == "bot" and _response_of(event) in REPEATING_RESPONSES \
                and event.get("text") != REMOVED:
            event["text"] = REMOVED
            event["metadata"] = {"utter_action": _response_of(event)}
            event["data"] = {}
            changed.append(index)
    return changed
