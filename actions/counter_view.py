"""How a counter is shown to the owner: name, contact lines and whether it is open now."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from actions.services import services
from bot.opening_hours import describe_opening, opening_status

BRUSSELS = ZoneInfo("Europe/Brussels")
CONTACT_FIELDS = ("phone", "email", "web", "address", "appointment_url")


def now_brussels() -> datetime:
    return datetime.now(tz=BRUSSELS)


def contact_lines(counter: Any) -> str:
    labels = services().ui_labels.get("contact_labels", {})
    contact = getattr(counter, "contact", None)
    lines = []
    for key in CONTACT_FIELDS:
        value = getattr(contact, key, None) if contact is not None else None
        if value:
            lines.append(f"{labels.get(key, key)}: {value}")
    if lines and getattr(counter, "example", False):
        lines.append(str(services().ui_labels.get("example_contact_note", "")))
    return "\n".join(line for line in lines if line)


def opening_line(counter: Any, now: datetime | None = None) -> str:
    moment = now or now_brussels()
    return describe_opening(opening_status(counter, moment), services().locale, now=moment)


def counter_message(counter: Any, now: datetime | None = None) -> dict[str, Any]:
    """Keyword arguments for dispatcher.utter_message describing a counter."""
    details = contact_lines(counter)
    response = "utter_counter_info" if details else "utter_counter_info_no_contact"
    return {"response": response, "counter_name": counter.name,
            "contact_details": details, "opening_line": opening_line(counter, now)}
