"""The once-per-name event class lookup gives exactly what Rasa's own lookup gives: a stored
conversation reads back to the same events, and unknown names fail or fall back as before."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
    deserialise_events,
)
from rasa.shared.utils.common import all_subclasses

from connectors.event_types import rasa_resolve_by_type, resolve_event_types_once


@pytest.fixture(autouse=True)
def cached_lookup() -> None:
    resolve_event_types_once()


def test_every_event_type_resolves_to_the_class_rasa_would_pick():
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "action", "slot", "session_started", "active_loop"} <= names
    for name in sorted(names):
        for _ in range(2):  # the first lookup fills the cache, the second reads it
            assert Event.resolve_by_type(name) is rasa_resolve_by_type(name)


def test_unknown_names_fail_or_fall_back_as_in_rasa():
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None  # Rasa's old TopicSet events


def test_a_stored_conversation_reads_back_to_the_same_events():
    events = [ActionExecuted("action_session_start"), SessionStarted(),
              UserUttered("mag ik een terras zetten?", {"name": "ask_topic", "confidence": 0.9}),
              SlotSet("municipality", "Aalst"), BotUttered("Ja, met een vergunning."),
              ActionExecuted("action_listen")]
    assert deserialise_events([e.as_dict() for e in events]) == events
