"""A statement whose database connection was cut while in use runs once more on a new one.

The tracker store pings a pooled connection before a turn uses it (PostgreSQL may have ended
it while it sat idle), but a connection cut while a turn is using it (an operator's
`pg_terminate_backend`, a fail-over) fails that statement: Rasa then keeps the turn only in
the replica's memory, and in a fault run one owner turn of 3,818 was missing from the store.
SQLAlchemy marks such an error `connection_invalidated` and rolls the transaction back, so
the whole unit of work can run again; any other error is raised as it is."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy.exc

logger = logging.getLogger(__name__)
T = TypeVar("T")


def once_more_on_a_new_connection(work: Callable[[], T]) -> T:
    try:
        return work()
    except sqlalchemy.exc.DBAPIError as error:
        if not error.connection_invalidated:
            raise
        logger.warning("the database connection was cut (%s); once more on a new one",
                       type(error.orig).__name__)
        return work()
