"""Rasa's SQL tracker store with the project's privacy rules (bot/tracker_privacy.py): free
text is masked before it is stored or published to the event broker, and a form's personal
answers are rewritten once the form forgets them. Configured in endpoints.yml and
endpoints.prod.yml as `type: connectors.tracker_store.PrivateSQLTrackerStore`."""

from __future__ import annotations

import json
import weakref
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.tracker_privacy import (
    erases_conversation,
    for_broker,
    forgets_personal_data,
    mask_event,
    public_contacts,
    scrub,
)
from connectors.saved_turns import SavedTurns
from connectors.settings import rasa_settings
from connectors.sql_retry import once_more_on_a_new_connection
from connectors.sqlite_tuning import use_tuned_sqlite


class PrivateSQLTrackerStore(SQLTrackerStore):
    engine: sa.engine.Engine

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_tuned_sqlite(self)
        self._check_connections_before_use()
        content = rasa_settings().content_dir
        self._public = public_contacts(content / "tenants")
        self.saved_turns = SavedTurns()  # the reply contract's state of the turn just saved
        self._stored = StoredCounts()

    def _check_connections_before_use(self) -> None:
        """PostgreSQL: ping a pooled connection before a turn uses it. Rasa's engine does not,
        so after PostgreSQL ended its connections (a restart, a fail-over, an operator's
        `pg_terminate_backend`) the next turn of each replica failed and the owner got no
        reply; with the ping the dead connection is replaced first."""
        if self.engine.dialect.name != "postgresql":
            return
        old = self.engine
        self.engine = sa.create_engine(old.url, pool_pre_ping=True,
                                       **create_engine_kwargs(old.url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        old.dispose()

    async def save(self, tracker: DialogueStateTracker) -> None:
        new_events, erased = once_more_on_a_new_connection(lambda: self._store(tracker))
        if erased:
            self._stored.forget(tracker)  # the rest of the turn is counted afresh: none stored
        else:
            self._stored.remember(tracker)
            self.saved_turns.remember(
                tracker.sender_id, tracker.current_slot_values(), tracker.is_paused())
        await self._publish(tracker.sender_id, new_events)

    def _store(self, tracker: DialogueStateTracker) -> tuple[list[dict[str, Any]], bool]:
        """Write the turn's new events (found once, by count, and both stored and published:
        Rasa's own save replays the whole conversation again only to find them for the
        broker). Returns them, and whether the owner asked to be forgotten."""
        with self.session_scope() as session:
            stored_count = self._stored.count(tracker)
            if stored_count is None:  # a tracker this store did not hand out: ask the database
                new_events = [e.as_dict() for e in self._additional_events(session, tracker)]
            else:
                new_events = [e.as_dict() for e in list(tracker.events)[stored_count:]]
            if erases_conversation(new_events):  # nothing of this conversation stays
                session.query(self.SQLEvent).filter(
                    self.SQLEvent.sender_id == tracker.sender_id).delete()
                session.commit()
                return new_events, True
            rows = [self._row(tracker.sender_id, mask_event(data, self._public))
                    for data in new_events]
            if rows:  # one INSERT for the turn, without building an ORM object per event
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            if forgets_personal_data(new_events, form_active=bool(tracker.active_loop_name)):
                self._scrub(session, tracker.sender_id)
            session.commit()
        return new_events, False

    @staticmethod
    def _row(sender_id: str, stored: dict[str, Any]) -> dict[str, Any]:
        return {"sender_id": sender_id, "type_name": stored.get("event"),
                "timestamp": stored.get("timestamp"),
                "intent_name": stored.get("parse_data", {}).get("intent", {}).get(
                    INTENT_NAME_KEY),
                "action_name": stored.get("name"), "data": json.dumps(stored)}

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> DialogueStateTracker | None:
        # Rasa's own, reading only the `data` column: no ORM object per stored event, which
        # at turn 100 of a conversation is about 400 of them on every read.
        def read() -> list[dict[str, Any]]:
            with self.session_scope() as session:
                query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
                return [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data)]

        events = once_more_on_a_new_connection(read)
        if not self.domain or not events:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions:
            self._stored.remember(tracker)
        return tracker

    def last_user_message_id(self, sender_id: str) -> str | None:
        """The message id of the conversation's last stored owner message (connectors/
        turn_replay.py): one row by the sender index, newest first."""
        def read() -> str | None:
            with self.session_scope() as session:
                return (session.query(self.SQLEvent.data)
                        .filter(self.SQLEvent.sender_id == sender_id,
                                self.SQLEvent.type_name == UserUttered.type_name)
                        .order_by(self.SQLEvent.id.desc()).limit(1).scalar())

        data = once_more_on_a_new_connection(read)
        message_id = json.loads(data).get("message_id") if data else None
        return message_id if isinstance(message_id, str) else None

    async def publish_again(self, sender_id: str, events: list[dict[str, Any]]) -> None:
        """Events of a stored turn, published as `save` publishes them (connectors/
        turn_replay.py: a resent message whose first replica died before publishing)."""
        await self._publish(sender_id, events)

    async def _publish(self, sender_id: str, events: list[dict[str, Any]]) -> None:
        if self.event_broker is None or not events:
            return
        bodies = [{"sender_id": sender_id, **for_broker(e, self._public)} for e in events]
        publish_many = getattr(self.event_broker, "publish_many", None)
        if publish_many is not None:
            publish_many(bodies)  # one transaction for the turn
        else:
            for body in bodies:
                self.event_broker.publish(body)
        # The production broker writes the turn's events to Redis first: the owner gets the
        # reply only once they are there, so a replica killed in between leaves no stored turn
        # whose events are gone (the proxy resends the unanswered message to another replica).
        written_ahead = getattr(self.event_broker, "written_ahead", None)
        if written_ahead is not None:
            await written_ahead()

    def _scrub(self, session: Any, sender_id: str) -> None:
        rows = (session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id)
                .order_by(self.SQLEvent.id).all())
        events = [json.loads(row.data) for row in rows]
        for index in scrub(events):
            rows[index].data = json.dumps(events[index])


class StoredCounts:
    """How many of a tracker's events are in the store, for the trackers this store read or
    saved itself. Rasa finds a turn's new events with a COUNT over the conversation's latest
    session on every save; a tracker in hand already knows. Keyed by the tracker object (a
    copy or a tracker built elsewhere is not known and gets the COUNT): the turn holds the
    conversation's lock from the read to the save, so nobody else adds events in between."""

    def __init__(self) -> None:
        self._counts: dict[int, tuple[weakref.ref[DialogueStateTracker], int]] = {}

    def remember(self, tracker: DialogueStateTracker) -> None:
        key = id(tracker)
        self._counts[key] = (weakref.ref(tracker, lambda _ref: self._counts.pop(key, None)),
                             len(tracker.events))

    def forget(self, tracker: DialogueStateTracker) -> None:
        self._counts.pop(id(tracker), None)

    def count(self, tracker: DialogueStateTracker) -> int | None:
        known = self._counts.get(id(tracker))
        if known is None:
            return None
        ref, count = known
        same = ref() is tracker
        return count if same and count <= len(tracker.events) else None
