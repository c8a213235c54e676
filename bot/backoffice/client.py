"""The console's HTTP client for the dossier service: every call names the officer it acts for
(`X-Acting-*` headers, see bot/dossiers/service/auth.py), so the service limits it to that
officer's counters."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.handoff.models import Officer


class DeskError(Exception):
    """The dossier service could not be reached or answered with an error."""


class DeskUnavailable(DeskError):
    pass


class DeskNotFound(DeskError):
    pass


class DeskRejected(DeskError):
    """A 4xx answer with an error code (e.g. `status_changed_concurrently`)."""

    def __init__(self, status: int, code: str, body: Mapping[str, Any]) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.body = body


def acting_id(officer: Officer) -> str:
    """How the dossier service records a console officer (history, assignment)."""
    return f"console:{officer.id}"


class DeskClient:
    def __init__(self, base_url: str, token: str, session: aiohttp.ClientSession,
                 timeout_seconds: float = 5.0) -> None:
        self._base = base_url.rstrip("/")
        self._token = token
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    def _headers(self, officer: Officer) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}", "X-Acting-Officer": acting_id(officer),
                "X-Acting-Officer-Name": quote(officer.display_name),
                "X-Acting-Counters": ",".join(officer.counters)}

    async def _call(self, method: str, path: str, officer: Officer, *,
                    params: Mapping[str, str] | None = None, body: Any = None) -> Any:
        try:
            async with self._session.request(
                method, self._base + path, params=dict(params or {}), json=body,
                headers=self._headers(officer), timeout=self._timeout,
            ) as response:
                data = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise DeskUnavailable(type(error).__name__) from error
        if status == 404:
            raise DeskNotFound(path)
        if status >= 500 or status in (401, 403, 429):
            raise DeskUnavailable(f"HTTP {status}")
        if status >= 400:
            data = data if isinstance(data, dict) else {}
            raise DeskRejected(status, str(data.get("error") or status), data)
        return data

    async def search(self, officer: Officer, params: Mapping[str, str]) -> dict[str, Any]:
        data = await self._call("GET", "/api/dossiers", officer, params=params)
        return data if isinstance(data, dict) else {}

    async def dossier(self, officer: Officer, reference: str) -> dict[str, Any]:
        data = await self._call("GET", f"/api/dossiers/{quote(reference)}", officer)
        return data if isinstance(data, dict) else {}

    async def change_status(self, officer: Officer, reference: str, status: str,
                            note: str | None, expected_version: int) -> dict[str, Any]:
        return await self._call("PATCH", f"/api/dossiers/{quote(reference)}", officer, body={
            "status": status, "note": note, "expected_version": expected_version})

    async def assign(self, officer: Officer, reference: str, assignee: Officer | None
                     ) -> dict[str, Any]:
        body = ({"id": acting_id(assignee), "name": assignee.display_name} if assignee
                else {"id": None})
        return await self._call("PUT", f"/api/dossiers/{quote(reference)}/assignee", officer,
                                body=body)

    async def add_note(self, officer: Officer, reference: str, text: str) -> dict[str, Any]:
        return await self._call("POST", f"/api/dossiers/{quote(reference)}/notes", officer,
                                body={"text": text})

    async def documents(self, officer: Officer, reference: str) -> dict[str, Any]:
        """The owner's documents and answers of a dossier (bot/dossiers/service/documents.py)."""
        data = await self._call("GET", f"/api/dossiers/{quote(reference)}/documents", officer)
        return data if isinstance(data, dict) else {}

    async def download(self, officer: Officer, reference: str, attachment: str
                       ) -> tuple[bytes, str]:
        """(content, content type) of one document."""
        path = f"/api/dossiers/{quote(reference)}/documents/{quote(attachment, safe='')}"
        try:
            async with self._session.get(self._base + path, headers=self._headers(officer),
                                         timeout=self._timeout) as response:
                status = response.status
                body = await response.read()
                content_type = response.headers.get("Content-Type", "")
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise DeskUnavailable(type(error).__name__) from error
        if status == 404:
            raise DeskNotFound(path)
        if status != 200:
            raise DeskUnavailable(f"HTTP {status}")
        return body, content_type
