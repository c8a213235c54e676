"""`setup_insights(app, config)`: the insights in our web app behind one call: the summary
API, the officer's insights page and the consumer as a background task of the app (no process
of its own)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.insights.api import API_KEY, InsightsApi, get_summary
from bot.insights.config import InsightsConfig
from bot.insights.consumer import Consumer
from bot.insights.dashboard import setup_dashboard_routes
from bot.insights.db import open_database
from bot.insights.report import setup_report_routes
from bot.insights.review import setup_review_routes
from bot.insights.scope import Scope
from bot.webcore.config import WebConfig
from bot.webcore.readiness import add_check

logger = logging.getLogger(__name__)
CONSUMER_KEY = web.AppKey("insights_consumer", Consumer)


def setup_insights(app: web.Application, web_config: WebConfig,
                   config: InsightsConfig | None = None) -> None:
    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        settings = config or InsightsConfig.from_env(web_config.env)
        db = open_database(settings.db_url)
        scope = await asyncio.to_thread(Scope.load, web_config.content_dir)
        app[API_KEY] = InsightsApi(settings, db, scope)
        consumer = Consumer(settings, db, nis_of_name=scope.nis_of_name())
        app[CONSUMER_KEY] = consumer
        task = asyncio.create_task(consumer.run()) if settings.enabled else None
        if task is None:
            await consumer.setup()
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await db.close()

    async def database_answers(app: web.Application) -> None:
        async with app[API_KEY].db.transaction() as tx:
            await tx.fetchone("SELECT 1")

    app.cleanup_ctx.append(lifecycle)
    add_check(app, "insights_db", database_answers)
    app.router.add_get("/api/insights/summary", get_summary)
    setup_dashboard_routes(app)
    setup_review_routes(app)
    setup_report_routes(app)
