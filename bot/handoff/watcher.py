"""Tells watching officers when a live conversation got new messages (the owner may write
through any channel, so the tracker is the place to look).

Each web app replica watches for the officers connected to it and tells only them
(`publish_local`): with several replicas every one that has watchers of a counter looks, and
an officer hears about a new message once, from their own replica."""

from __future__ import annotations

import asyncio
import logging

from bot.handoff.broker import EventBroker
from bot.handoff.rasa_api import RasaApiError, TrackerApi
from bot.handoff.requests import RequestStore

logger = logging.getLogger(__name__)


class TranscriptWatcher:
    def __init__(self, requests: RequestStore, rasa: TrackerApi, broker: EventBroker) -> None:
        self._requests = requests
        self._rasa = rasa
        self._broker = broker
        self._seen: dict[int, int] = {}

    async def check_once(self) -> None:
        watched = self._broker.watched_counters()
        if not watched:
            return
        live = [r for r in await self._requests.live() if r.counter in watched]
        self._seen = {k: v for k, v in self._seen.items() if k in {r.id for r in live}}
        for request in live:
            try:
                tracker = await self._rasa.tracker(request.conversation_id)
            except RasaApiError:
                continue
            count = len(tracker.get("events") or [])
            if self._seen.get(request.id) not in (None, count):
                self._broker.publish_local(request.counter,
                                     {"type": "transcript", "request_id": request.id})
            self._seen[request.id] = count

    async def run(self, interval: float) -> None:
        while True:
            try:
                await self.check_once()
            except Exception:  # keep watching; the console still refreshes on its own timer
                logger.exception("transcript watcher: check failed")
            await asyncio.sleep(interval)
