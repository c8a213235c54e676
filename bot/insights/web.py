"""`setup_insights(app, config)`: the insights in our web app behind one call: the consumer
as a background task of the app (no process of its own)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from bot.insights.config import InsightsConfig
from bot.insights.consumer import Consumer
from bot.insights.db import open_database
from bot.webcore.config import WebConfig

CONSUMER_KEY = web.AppKey("insights_consumer", Consumer)


def setup_insights(app: web.Application, web_config: WebConfig,
                   config: InsightsConfig | None = None) -> None:
    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        settings = config or InsightsConfig.from_env()
        db = open_database(settings.db_url)
        consumer = Consumer(settings, db)
        app[CONSUMER_KEY] = consumer
        task = asyncio.create_task(consumer.run()) if settings.enabled else None
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await db.close()

    app.cleanup_ctx.append(lifecycle)
