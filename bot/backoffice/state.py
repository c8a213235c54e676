"""What the back office keeps on the web app: its settings, the dossier service client (made
at start-up, never at import) and a clock tests can set."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from aiohttp import web

from bot.backoffice.client import DeskClient
from bot.backoffice.config import BackofficeConfig


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Backoffice:
    config: BackofficeConfig
    clock: Callable[[], datetime] = utc_now
    desk: DeskClient | None = field(default=None)


BACKOFFICE_KEY = web.AppKey("backoffice", Backoffice)
