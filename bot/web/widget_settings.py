"""Settings of the chat widget in our web app, from the environment.

WIDGET_ALLOWED_ORIGINS   comma-separated origins of municipal sites that embed the widget
                         (e.g. `https://www.aalst.be`); the web app's own origin always works.
FEEDBACK_DB              SQLite file of the answer feedback (default var/feedback.sqlite3).
FEEDBACK_DB_URL          the same on PostgreSQL (postgresql://…; wins over FEEDBACK_DB).
WIDGET_SESSION_SECRET    key of the widget's signed conversation ids (else derived from
RASA_API_TOKEN)          RASA_API_TOKEN, as the socket.io channel does): checks the id a
                         reloaded widget asks its transcript for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from bot.feedback import feedback_location
from bot.webcore.config import WebConfig
from bot.webcore.conversation_ids import widget_key


@dataclass(frozen=True)
class WidgetSettings:
    rasa_url: str
    content_dir: Path
    tenant: str
    feedback_db: Path | str  # a SQLite file or a database URL (bot.feedback.feedback_location)
    allowed_origins: frozenset[str] = frozenset()
    conversation_key: bytes | None = None  # None: widget ids cannot be checked here

    @classmethod
    def from_env(cls, config: WebConfig) -> WidgetSettings:
        env = config.env
        origins = env.get("WIDGET_ALLOWED_ORIGINS", "")
        return cls(
            rasa_url=config.rasa_url,
            content_dir=config.content_dir,
            tenant=config.tenant,
            feedback_db=feedback_location(env),
            allowed_origins=frozenset(o.strip().rstrip("/").lower()
                                      for o in origins.split(",") if o.strip()),
            conversation_key=widget_key(env.get("WIDGET_SESSION_SECRET", ""),
                                        config.rasa_api_token),
        )

    def origin_allowed(self, request: web.Request) -> bool:
        """The browser's Origin is our own site or a configured municipal site. Requests
        without Origin (not sent by a browser page) are allowed: they carry no ambient rights."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        origin = origin.lower()
        return urlsplit(origin).netloc == request.host.lower() or origin in self.allowed_origins


SETTINGS_KEY = web.AppKey("widget_settings", WidgetSettings)
