"""App factory of our web app (port 8000): chat page, health, and later the officer console."""

from __future__ import annotations

from pathlib import Path
from string import Template

import aiohttp
from aiohttp import web

from bot.backoffice import setup_backoffice_routes
from bot.handoff.web.routes import setup_officer_routes
from bot.insights.web import setup_insights
from bot.retention import setup_retention
from bot.web import chat
from bot.web.documents import setup_document_routes
from bot.web.erasure_api import setup_erasure_routes
from bot.web.privacy_page import setup_privacy_page
from bot.web.public_limits import public_limits, setup_public_limits
from bot.web.rasa_client import RasaClient
from bot.web.security import security_headers
from bot.web.widget import setup_widget_routes
from bot.webcore.client_address import TRUSTED_PROXIES_KEY
from bot.webcore.config import WebConfig
from bot.webcore.owner_session import SECURE_KEY
from bot.webcore.readiness import ready

HERE = Path(__file__).parent
SESSION_KEY = web.AppKey("http_session", aiohttp.ClientSession)


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/", chat.page)
    app.router.add_get("/health", chat.health)
    app.router.add_get("/ready", ready)
    app.router.add_post("/api/chat", chat.send_message)
    app.router.add_post("/api/chat/reset", chat.reset)
    app.router.add_get("/api/chat/history", chat.history)
    app.router.add_post("/api/chat/feedback", chat.feedback)
    app.router.add_static("/static/", HERE / "static", append_version=True)


def create_app(config: WebConfig, rasa: RasaClient | None = None) -> web.Application:
    app = web.Application(middlewares=[security_headers, public_limits],
                          client_max_size=64 * 1024)
    app[chat.TEMPLATE_KEY] = Template((HERE / "templates" / "chat.html").read_text("utf-8"))
    app[chat.TEXTS_PATH_KEY] = config.content_dir / "web.yml"
    app[SECURE_KEY] = config.secure_cookies
    app[TRUSTED_PROXIES_KEY] = config.trusted_proxies
    setup_public_limits(app, config.content_dir / "web.yml", config.env)

    async def client_session(app: web.Application):  # type: ignore[no-untyped-def]
        session = aiohttp.ClientSession()
        app[SESSION_KEY] = session
        if rasa is None:
            app[chat.RASA_KEY] = RasaClient(config.rasa_url, session,
                                            api_token=config.rasa_api_token)
        yield
        await session.close()

    if rasa is not None:
        app[chat.RASA_KEY] = rasa
    app.cleanup_ctx.append(client_session)
    setup_routes(app)
    setup_officer_routes(app, config)
    setup_backoffice_routes(app, config)
    setup_widget_routes(app, config)
    setup_document_routes(app, config.content_dir, config.env)
    setup_erasure_routes(app)
    setup_privacy_page(app, config)
    setup_insights(app, config)
    # after the stores it purges
    setup_retention(app, config.content_dir, config.tenant, config.env)
    return app
