"""Rasa's SQL event broker (the local profile's event stream for the insights) with tuned
SQLite and one transaction per turn instead of one per event. Configured in endpoints.yml as
`type: connectors.event_broker.LocalSQLEventBroker`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.sql import SQLEventBroker

from connectors.sqlite_tuning import use_tuned_sqlite


class LocalSQLEventBroker(SQLEventBroker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_tuned_sqlite(self)

    def publish_many(self, events: Iterable[dict[str, Any]]) -> None:
        rows = [{"sender_id": event.get("sender_id"), "data": json.dumps(event)}
                for event in events]
        if not rows:
            return
        with self.session_scope() as session:  # one INSERT, no ORM object per event
            session.execute(sa.insert(self.SQLBrokerEvent.__table__), rows)
            session.commit()
