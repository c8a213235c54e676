"""What the reply contract needs of the tracker the turn just saved (its slots, whether the
conversation is paused), kept by the tracker store so the channel does not read and replay the
whole conversation again after every turn.

A channel calls `begin(sender)` when a message comes in and `take(sender)` when the turn is
done; `take` answers only with a state saved in between (else None: the caller reads the
tracker store as before). Bounded: the least recently saved conversations are dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

DEFAULT_MAX_CONVERSATIONS = 5_000


@dataclass(frozen=True)
class SavedTurn:
    slots: dict[str, Any]
    paused: bool


class SavedTurns:
    def __init__(self, max_conversations: int = DEFAULT_MAX_CONVERSATIONS) -> None:
        self._max = max_conversations
        self._saved: OrderedDict[str, SavedTurn | None] = OrderedDict()
        # save() runs in Rasa's event loop, but a store may be used from a thread pool too.
        self._lock = threading.Lock()

    def begin(self, sender_id: str) -> None:
        """A message of `sender_id` arrived: what was saved before it does not count."""
        with self._lock:
            self._put(sender_id, None)

    def remember(self, sender_id: str, slots: dict[str, Any], paused: bool) -> None:
        with self._lock:
            if sender_id in self._saved:  # only turns a channel began are kept
                self._put(sender_id, SavedTurn(dict(slots), paused))

    def take(self, sender_id: str) -> SavedTurn | None:
        with self._lock:
            return self._saved.pop(sender_id, None)

    def _put(self, sender_id: str, value: SavedTurn | None) -> None:
        self._saved[sender_id] = value
        self._saved.move_to_end(sender_id)
        while len(self._saved) > self._max:
            self._saved.popitem(last=False)


def store_with(store: Any, attribute: str) -> Any:
    """The tracker store that has `attribute`, looking through Rasa's wrappers
    (`FailSafeTrackerStore`, `AwaitableTrackerStore`); None when none has it."""
    for _ in range(4):
        if store is None:
            return None
        if getattr(store, attribute, None) is not None:
            return store
        store = getattr(store, "_tracker_store", None)
    return None


def saved_turns_of(store: Any) -> SavedTurns | None:
    """The `SavedTurns` of a tracker store (ours), through Rasa's wrappers."""
    found = getattr(store_with(store, "saved_turns"), "saved_turns", None)
    return found if isinstance(found, SavedTurns) else None
