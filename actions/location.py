"""Where is the owner's business? From the message text, channel metadata or the slots."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.services import services


@dataclass
class Location:
    """The municipality in force after this message, and what changed."""

    municipality: Any | None = None
    status: str = "none"  # found | ambiguous | outside_flanders | none | kept
    candidates: tuple[Any, ...] = ()
    place: str | None = None
    matched: str | None = None
    source: str = "slots"  # button | text | metadata | slots
    events: list[EventType] = field(default_factory=list)

    @property
    def nis(self) -> str | None:
        return self.municipality.nis if self.municipality else None

    @property
    def name(self) -> str | None:
        return self.municipality.name if self.municipality else None

    @property
    def changed(self) -> bool:
        return self.status == "found"


def _from_nis(nis: Any) -> Any | None:
    return services().registry.get(str(nis)) if nis else None


def _entity(tracker: Tracker, name: str) -> Any | None:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name:
            return entity.get("value")
    return None


def locate(tracker: Tracker) -> Location:
    """Resolve the municipality: an explicit button choice, the message text, the widget
    metadata, then the conversation so far."""
    chosen = _from_nis(_entity(tracker, "nis"))
    if chosen is not None:
        return _found(tracker, chosen, None, "button")
    text = tracker.latest_message.get("text") or ""
    if text and not text.startswith("/"):
        resolution = services().registry.resolve(text)
        if resolution.status == "found":
            return _found(tracker, resolution.municipality, resolution.place, "text")
        if resolution.status in ("ambiguous", "outside_flanders"):
            return Location(_current(tracker), resolution.status, tuple(resolution.candidates),
                            matched=resolution.matched, source="text")
    from_page = _from_page(tracker.latest_message.get("metadata"))
    if from_page is not None and tracker.get_slot("nis") is None:
        return _found(tracker, from_page, None, "metadata")
    return Location(_current(tracker), "kept")


def _from_page(metadata: Any) -> Any | None:
    """The municipality of the page the widget is on: its NIS code, else its name."""
    if not isinstance(metadata, dict):
        return None
    by_nis = _from_nis(metadata.get("nis"))
    if by_nis is not None:
        return by_nis
    name = metadata.get("municipality")
    if not isinstance(name, str) or not 0 < len(name.strip()) <= 60:
        return None
    resolution = services().registry.resolve(name)
    return resolution.municipality if resolution.status == "found" else None


def _current(tracker: Tracker) -> Any | None:
    return _from_nis(tracker.get_slot("nis"))


def _found(tracker: Tracker, municipality: Any, place: str | None, source: str) -> Location:
    events: list[EventType] = []
    if tracker.get_slot("nis") != municipality.nis:
        events = [SlotSet("municipality", municipality.name), SlotSet("nis", municipality.nis)]
    return Location(municipality, "found", place=place, source=source, events=events)


def say_location_problem(dispatcher: CollectingDispatcher, location: Location) -> None:
    """Tell the owner when the place they named is ambiguous or outside Flanders."""
    if location.status == "ambiguous":
        buttons = [
            {"title": m.name, "payload": f'/inform_municipality{{"nis":"{m.nis}"}}'}
            for m in location.candidates
        ]
        dispatcher.utter_message(response="utter_municipality_ambiguous",
                                 name=location.matched or "", buttons=buttons)
    elif location.status == "outside_flanders":
        dispatcher.utter_message(response="utter_municipality_outside_flanders")
