"""`setup_officer_routes`: everything of the hand-off in our web app, behind one call."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bot.handoff.config import HandoffConfig
from bot.handoff.db import ping
from bot.handoff.rasa_api import RasaTrackerApi
from bot.handoff.watcher import TranscriptWatcher
from bot.handoff.web import auth, console, owner_api, service_api, sse
from bot.handoff.web.services import HOLDER_KEY, Holder, build_services
from bot.webcore.config import WebConfig
from bot.webcore.readiness import add_check

logger = logging.getLogger(__name__)


async def _to_queue(_request: web.Request) -> web.Response:
    raise web.HTTPPermanentRedirect("/officer/")


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    holder = app[HOLDER_KEY]
    session = aiohttp.ClientSession()
    rasa = holder.tracker_api or RasaTrackerApi(holder.config.rasa_url,
                                                holder.config.rasa_token, session)
    hub = build_services(holder.config, rasa, holder.clock)
    holder.services = hub
    try:
        await hub.db.engine()  # migrations run on start (advisory-locked across replicas)
    except Exception as error:  # database down: /ready says so, first use retries
        logger.warning("hand-off database not migrated at start: %s", error)
    await hub.broker.start()
    watcher = TranscriptWatcher(hub.requests, rasa, hub.broker)
    task = asyncio.create_task(watcher.run(holder.config.watch_seconds))
    yield
    hub.broker.close()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await hub.broker.stop()
    await hub.db.close()
    hub.officers.hashing.close()
    await session.close()
    holder.services = None


async def _close_streams(app: web.Application) -> None:
    hub = app[HOLDER_KEY].services
    if hub is not None:
        hub.broker.close()  # ends the officers' event streams so shutdown does not wait


async def _database_answers(app: web.Application) -> None:
    hub = app[HOLDER_KEY].services
    if hub is None:
        raise RuntimeError("hand-off services not started")
    await ping(hub.db)


def setup_officer_routes(app: web.Application, config: WebConfig) -> None:
    app[HOLDER_KEY] = Holder(HandoffConfig.from_env(config.content_dir, config.secure_cookies,
                                                        config.env))
    add_check(app, "handoff_db", _database_answers)
    app.cleanup_ctx.append(_lifecycle)
    app.on_shutdown.append(_close_streams)  # type: ignore[arg-type]
    add = app.router
    add.add_post("/api/handoff/requests", service_api.create_request)
    add.add_post("/api/handoff/contact", service_api.save_contact)
    add.add_get("/api/chat/updates", owner_api.chat_updates)
    add.add_get("/api/handoff/{conversation_id}/messages", owner_api.rest_messages)
    add.add_get("/officer", _to_queue)
    add.add_get("/officer/", console.queue_page)
    add.add_get("/officer/login", auth.login_page)
    add.add_post("/officer/login", auth.login)
    add.add_post("/officer/logout", auth.logout)
    add.add_get("/officer/events", sse.events)
    add.add_get("/officer/fragments/queue", console.queue_fragment)
    add.add_get(r"/officer/requests/{id:\d{1,12}}", console.request_page)
    add.add_get(r"/officer/requests/{id:\d{1,12}}/fragments/transcript",
                console.transcript_fragment)
    add.add_post(r"/officer/requests/{id:\d{1,12}}/{action:take|reply|handback|close|erase}",
                 console.act)
