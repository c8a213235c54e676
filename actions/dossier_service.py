"""The dossier service as the action server reaches it: one DossierClient (short timeout, one
retry: Rasa waits at most ACTION_TIMEOUT_SECONDS for an action) and one Outbox, created on first
use, plus a background task that delivers queued submissions while the server runs."""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.dossiers.client.api import DossierClient
from bot.dossiers.client.outbox import Outbox, deliver_periodically

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "http://127.0.0.1:8100"
CLIENT_TIMEOUT_SECONDS = 1.5
CLIENT_RETRIES = 1
DEFAULT_INTERVAL_SECONDS = 30.0


@dataclass
class DossierBackend:
    client: DossierClient
    outbox: Outbox
    delivery_interval: float = DEFAULT_INTERVAL_SECONDS
    loop: asyncio.AbstractEventLoop | None = None
    task: asyncio.Task[None] | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    def ensure_delivery(self) -> None:
        """Start the periodic outbox delivery once per event loop (lazily, never at import)."""
        if self.task is not None and not self.task.done():
            return
        self.task = asyncio.get_running_loop().create_task(
            deliver_periodically(self.outbox, self.delivery_interval, self.stop))

    async def close(self) -> None:
        self.stop.set()
        if self.task is not None:
            await self.task
        await self.client.close()


_backend: DossierBackend | None = None


def from_env() -> DossierBackend:
    url = os.environ.get("DOSSIER_SERVICE_URL", DEFAULT_URL)
    token = os.environ.get("DOSSIER_SERVICE_TOKEN", "")
    if not token:
        logger.warning("DOSSIER_SERVICE_TOKEN is not set: submissions stay in the outbox")
    client = DossierClient(url, token, timeout=CLIENT_TIMEOUT_SECONDS, retries=CLIENT_RETRIES)
    path = Path(os.environ.get("DOSSIER_OUTBOX_PATH", ROOT / "var" / "dossier_outbox.sqlite3"))
    interval = float(os.environ.get("DOSSIER_OUTBOX_INTERVAL_SECONDS", DEFAULT_INTERVAL_SECONDS))
    return DossierBackend(client, Outbox(client, path), interval)


def install(backend: DossierBackend | None) -> None:
    """Use this backend from now on (tests); None makes the next call build one from the env."""
    global _backend
    _backend = backend


def backend() -> DossierBackend:
    """The process-wide backend for the running event loop, with its delivery task started."""
    global _backend
    loop = asyncio.get_running_loop()
    if _backend is None or (_backend.loop is not None and _backend.loop is not loop):
        _backend = from_env()
    if _backend.loop is None:
        _backend.loop = loop
    _backend.ensure_delivery()
    return _backend


def wake() -> None:
    """Called by every dossier action: starts the outbox delivery on the first action call
    after a restart (so queued submissions go out even before anyone submits again). Without
    a configured service (unit tests) it does nothing."""
    if _backend is not None or os.environ.get("DOSSIER_SERVICE_URL"):
        backend()
