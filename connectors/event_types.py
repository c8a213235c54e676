"""Rasa finds the class of every stored or received event by walking the whole class tree of
`Event` (`rasa.shared.utils.common.all_subclasses`, with `inspect.isabstract` on each of about
26 classes) on every single event. Reading a conversation of 400 events spent 70 % of its time
there (docs/performance.md). The classes do not change once Rasa is imported, so each type
name is looked up once per process; unknown names still go to Rasa's own lookup and its error."""

from __future__ import annotations

from rasa.shared.core.events import Event

rasa_resolve_by_type = Event.resolve_by_type


def resolve_event_types_once() -> None:
    known: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: type[Event] | None = None
                        ) -> type[Event] | None:
        found = known.get(type_name)
        if found is not None:
            return found
        found = rasa_resolve_by_type(type_name, default)
        if found is not None and found.type_name == type_name:
            known[type_name] = found
        return found

    setattr(Event, "resolve_by_type", staticmethod(resolve_by_type))  # noqa: B010

