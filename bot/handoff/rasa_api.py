"""Client for Rasa's HTTP API (`--enable-api --auth-token`): read a conversation, append
events (pause/resume, officer messages) and run an action in it."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp


class RasaApiError(Exception):
    """Rasa did not answer in time, refused the token, or answered with an error."""


class TrackerApi(Protocol):
    async def tracker(self, conversation_id: str) -> dict[str, Any]: ...

    async def append_events(self, conversation_id: str, events: list[dict[str, Any]],
                            push: bool = False) -> None: ...

    async def execute(self, conversation_id: str, action: str) -> list[dict[str, Any]]: ...


class RasaTrackerApi:
    def __init__(self, base_url: str, token: str, session: aiohttp.ClientSession,
                 timeout_seconds: float = 8.0) -> None:
        self._base = base_url.rstrip("/")
        self._token = token
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    def _url(self, conversation_id: str, suffix: str) -> str:
        return f"{self._base}/conversations/{quote(conversation_id, safe='')}/{suffix}"

    async def _call(self, method: str, url: str, params: dict[str, str],
                    body: Any = None) -> Any:
        if not self._token:
            raise RasaApiError("RASA_API_TOKEN is not set")
        try:
            async with self._session.request(method, url, params={**params, "token": self._token},
                                             json=body, timeout=self._timeout) as response:
                if response.status != 200:
                    raise RasaApiError(f"status {response.status}")
                return await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise RasaApiError(type(error).__name__) from error

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        data = await self._call("GET", self._url(conversation_id, "tracker"), {})
        return data if isinstance(data, dict) else {}

    async def append_events(self, conversation_id: str, events: list[dict[str, Any]],
                            push: bool = False) -> None:
        """Append events; with `push`, bot messages among them also go out on the owner's
        latest channel (Rasa's `execute_side_effects`)."""
        params = {"include_events": "NONE"}
        if push:
            params.update(execute_side_effects="true", output_channel="latest")
        await self._call("POST", self._url(conversation_id, "tracker/events"), params, events)

    async def execute(self, conversation_id: str, action: str) -> list[dict[str, Any]]:
        """Run an action; the owner's latest channel gets its messages, and when that channel
        collects messages (REST), they are returned for us to deliver."""
        data = await self._call("POST", self._url(conversation_id, "execute"),
                                {"output_channel": "latest", "include_events": "NONE"},
                                {"name": action})
        messages = data.get("messages") if isinstance(data, dict) else None
        return [m for m in messages or [] if isinstance(m, dict)]
