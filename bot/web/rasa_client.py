"""Client for Rasa's REST channel (one class per outside service)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaClient:
    def __init__(self, base_url: str, session: aiohttp.ClientSession,
                 timeout_seconds: float = 12.0) -> None:
        self._url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def send(self, sender: str, text: str,
                   metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        body = {"sender": sender, "message": text, "metadata": metadata or {}}
        try:
            async with self._session.post(self._url, json=body, timeout=self._timeout) as resp:
                if resp.status != 200:
                    raise RasaUnavailable(f"status {resp.status}")
                data = await resp.json()
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise RasaUnavailable(type(error).__name__) from error
        return data if isinstance(data, list) else []
