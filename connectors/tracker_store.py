"""Rasa's SQL tracker store with the project's privacy rules (bot/tracker_privacy.py): free
text is masked before it is stored or published to the event broker, and a form's personal
answers are rewritten once the form forgets them. Configured in endpoints.yml and
endpoints.prod.yml as `type: connectors.tracker_store.PrivateSQLTrackerStore`."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
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
from connectors.sqlite_tuning import tune_sqlite


class PrivateSQLTrackerStore(SQLTrackerStore):
    engine: sa.engine.Engine

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tune_sqlite(self.engine)
        self._check_connections_before_use()
        content = rasa_settings().content_dir
        self._public = public_contacts(content / "tenants")
        self.saved_turns = SavedTurns()  # the reply contract's state of the turn just saved

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
        # The new events are found once, by count, and both stored and published: Rasa's own
        # save replays the whole conversation a second time only to find them for the broker.
        with self.session_scope() as session:
            new_events = [event.as_dict() for event in self._additional_events(session, tracker)]
            if erases_conversation(new_events):
                # The owner asked to be forgotten: nothing of this conversation stays.
                session.query(self.SQLEvent).filter(
                    self.SQLEvent.sender_id == tracker.sender_id).delete()
                session.commit()
                await self._publish(tracker.sender_id, new_events)
                return
            for data in new_events:
                stored = mask_event(data, self._public)
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id, type_name=stored.get("event"),
                    timestamp=stored.get("timestamp"),
                    intent_name=stored.get("parse_data", {}).get("intent", {}).get(
                        INTENT_NAME_KEY),
                    action_name=stored.get("name"), data=json.dumps(stored)))
            if forgets_personal_data(new_events, form_active=bool(tracker.active_loop_name)):
                session.flush()
                self._scrub(session, tracker.sender_id)
            session.commit()
        self.saved_turns.remember(
            tracker.sender_id, tracker.current_slot_values(), tracker.is_paused())
        await self._publish(tracker.sender_id, new_events)

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
