"""Rasa's Redis lock store, retrying a lock command that fails on a broken connection.

Rasa 3.6 gives up at the first connection error: after a Redis restart every pooled
connection fails once (and a new one fails until Redis is back), and each failure is an
owner's message answered with an apology (the fault test saw 63 in 30 s). Here a command that
fails with a connection error or a time-out is tried again on a fresh connection, for about
1.5 s in all; lock commands are a GET, SET or DEL of one key, safe to repeat. Configured in
endpoints.prod.yml as `type: connectors.lock_store.ReconnectingRedisLockStore`.

Rasa's lock store uses the synchronous Redis client, so the waits between tries hold the
event loop of that Rasa process, as Rasa's own Redis calls already do; they only happen
while Redis is away.

A waiter whose own ticket expires is queued again. Rasa counts a ticket's lifetime from the
moment it is issued, also while it waits, and checks every second: when a replica dies holding
a conversation and the proxy resends that message to another replica within a second, both
tickets expire in the same check, the lock is left with no ticket, and Rasa's waiter loops
until the proxy gives up (the fault test saw two owners get no reply that way)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)
T = TypeVar("T")
PAUSES = (0.05, 0.1, 0.2, 0.4, 0.4, 0.4)  # seconds between tries: a restart of about 1.5 s
REDIS_ARGS = ("port", "db", "username", "password", "use_ssl", "ssl_certfile", "ssl_keyfile",
              "ssl_ca_certs", "key_prefix", "socket_timeout")


def retrying(call: Callable[[], T], pauses: tuple[float, ...] = PAUSES,
             sleep: Callable[[float], None] = time.sleep) -> T:
    """`call()`, tried again after each pause while Redis is unreachable."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    for pause in pauses:
        try:
            return call()
        except (RedisConnectionError, RedisTimeoutError) as error:
            logger.warning("lock store: Redis unreachable (%s); trying again in %.2f s",
                           error, pause)
            sleep(pause)
    return call()


class ReconnectingRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        settings = dict(endpoint_config.kwargs) if endpoint_config is not None else {}
        settings.update(kwargs)
        host = (endpoint_config.url if endpoint_config is not None else None) \
            or settings.pop("host", None) or "localhost"
        super().__init__(host=host, **{k: v for k, v in settings.items() if k in REDIS_ARGS})

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[Any, None]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        requeued = False
        try:
            while True:
                lock = self.get_lock(conversation_id)
                if lock is None or lock._ticket_for_ticket_number(ticket) is None:
                    logger.debug("lock store: the ticket of %s expired while it waited; "
                                 "queued again", conversation_id)
                    if requeued:  # overwritten by another replica at once: do not spin
                        await asyncio.sleep(wait_time_in_seconds)
                    ticket = self.issue_ticket(conversation_id, lock_lifetime)
                    requeued = True
                    continue
                requeued = False
                if not lock.is_locked(ticket):
                    break
                await asyncio.sleep(wait_time_in_seconds)
                self.update_lock(conversation_id)
            yield lock
        finally:
            self.cleanup(conversation_id, ticket)

    def get_lock(self, conversation_id: str) -> Any:
        return retrying(lambda: super(ReconnectingRedisLockStore, self).get_lock(
            conversation_id))

    def delete_lock(self, conversation_id: str) -> None:
        retrying(lambda: super(ReconnectingRedisLockStore, self).delete_lock(conversation_id))

    def save_lock(self, lock: Any) -> None:
        retrying(lambda: super(ReconnectingRedisLockStore, self).save_lock(lock))
