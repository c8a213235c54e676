"""Client for Rasa (one class per outside service): its REST channel for the owner's messages,
and its HTTP API (token) to read the owner's own conversation back for the chat page."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import aiohttp


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaClient:
    def __init__(self, base_url: str, session: aiohttp.ClientSession,
                 timeout_seconds: float = 12.0, api_token: str = "",
                 api_timeout_seconds: float = 5.0) -> None:
        self._base = base_url.rstrip("/")
        self._url = self._base + "/webhooks/rest/webhook"
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._api_timeout = aiohttp.ClientTimeout(total=api_timeout_seconds)
        self._token = api_token  # RASA_API_TOKEN; empty: no transcript to restore

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

    async def events(self, sender: str) -> list[dict[str, Any]]:
        """The events of one conversation, from Rasa's HTTP API (`GET …/tracker`)."""
        if not self._token:
            raise RasaUnavailable("RASA_API_TOKEN is not set")
        url = f"{self._base}/conversations/{quote(sender, safe='')}/tracker"
        params = {"token": self._token, "include_events": "ALL"}
        try:
            async with self._session.get(url, params=params, timeout=self._api_timeout) as resp:
                if resp.status != 200:
                    raise RasaUnavailable(f"status {resp.status}")
                data = await resp.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise RasaUnavailable(type(error).__name__) from error
        events = data.get("events") if isinstance(data, dict) else None
        return [e for e in events or [] if isinstance(e, dict)]
