"""The dossier service as the action server reaches it: one DossierClient (short timeout, one
retry: Rasa waits at most ACTION_TIMEOUT_SECONDS for an action) and one Outbox, plus a
background task that delivers queued submissions while the server runs. Part of the actions'
services object (actions/services.py)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from actions.settings import ActionSettings
from bot.dossiers.client.api import DossierClient
from bot.dossiers.client.outbox import Outbox, deliver_periodically

logger = logging.getLogger(__name__)

CLIENT_TIMEOUT_SECONDS = 1.5
CLIENT_RETRIES = 1


@dataclass
class DossierBackend:
    client: DossierClient
    outbox: Outbox
    delivery_interval: float = 30.0
    # Delivery starts with the first action, never at import; it runs on that action's loop.
    deliver_on_wake: bool = True
    task: asyncio.Task[None] | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def from_settings(cls, settings: ActionSettings) -> DossierBackend:
        if not settings.dossier_token:
            logger.warning("DOSSIER_SERVICE_TOKEN is not set: submissions stay in the outbox")
        client = DossierClient(settings.dossier_url, settings.dossier_token,
                               timeout=CLIENT_TIMEOUT_SECONDS, retries=CLIENT_RETRIES)
        return cls(client, Outbox(client, settings.outbox_url),
                   settings.outbox_interval_seconds, deliver_on_wake=settings.dossier_configured)

    def ensure_delivery(self) -> None:
        """Start the periodic outbox delivery once per event loop."""
        loop = asyncio.get_running_loop()
        if self.task is not None and not self.task.done() and self.task.get_loop() is loop:
            return
        self.task = loop.create_task(
            deliver_periodically(self.outbox, self.delivery_interval, self.stop))

    def wake(self) -> None:
        """Called by every dossier action: queued submissions go out after a restart even
        before anyone submits again. Without a configured service (unit tests) nothing runs."""
        if self.deliver_on_wake:
            self.ensure_delivery()

    def active(self) -> DossierBackend:
        """This backend, with its delivery running: for actions that use the service now."""
        self.ensure_delivery()
        return self

    async def close(self) -> None:
        self.stop.set()
        if self.task is not None:
            await self.task
        await self.client.close()
