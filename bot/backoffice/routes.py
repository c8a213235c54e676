"""`setup_backoffice_routes`: the dossier pages of the officer console, behind one call.

Needs the console's sessions, so `setup_officer_routes` must have been called on the app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bot.backoffice import documents, handlers
from bot.backoffice.client import DeskClient
from bot.backoffice.config import BackofficeConfig
from bot.backoffice.content_page import setup_content_page
from bot.backoffice.state import BACKOFFICE_KEY, Backoffice
from bot.webcore.config import WebConfig


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    state = app[BACKOFFICE_KEY]
    session = aiohttp.ClientSession()
    if state.config.token:
        state.desk = DeskClient(state.config.service_url, state.config.token, session,
                                state.config.timeout_seconds)
    yield
    state.desk = None
    await session.close()


def setup_backoffice_routes(app: web.Application, config: WebConfig) -> None:
    app[BACKOFFICE_KEY] = Backoffice(BackofficeConfig.from_env(config.env, config.content_dir))
    app.cleanup_ctx.append(_lifecycle)
    ref = handlers.REFERENCE_ROUTE
    add = app.router
    add.add_get("/officer/dossiers", handlers.list_page)
    add.add_get("/officer/dossiers/export.csv", handlers.export_csv)
    add.add_get(f"/officer/dossiers/{ref}", handlers.dossier_page)
    add.add_post(f"/officer/dossiers/{ref}/status", handlers.change_status)
    add.add_post(f"/officer/dossiers/{ref}/assign", handlers.assign)
    add.add_post(f"/officer/dossiers/{ref}/notes", handlers.add_note)
    add.add_get(f"/officer/dossiers/{ref}/documents/{documents.ATTACHMENT_ROUTE}",
                documents.download)
    setup_content_page(app, config.content_dir, config.tenant)
