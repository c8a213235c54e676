"""HTTP client for the dossier service, used by the action server.

Errors become exceptions: `ServiceUnavailable` (network, timeout, 5xx, 429, after retries),
`NotFound`, `Invalid` (the service rejected the data; `code` and `details` say why) and
`Unauthorized` (a configuration problem). Creating is safe to retry: every attempt sends the
same Idempotency-Key."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import quote

import aiohttp


class DossierError(Exception):
    pass


class ServiceUnavailable(DossierError):
    pass


class NotFound(DossierError):
    pass


class Unauthorized(DossierError):
    pass


class Invalid(DossierError):
    def __init__(self, code: str, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.details = details or []


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


class DossierClient:
    def __init__(
        self, base_url: str, token: str, *, timeout: float = 3.0, retries: int = 2,
        backoff: float = 0.2, session: aiohttp.ClientSession | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.retries = retries
        self.backoff = backoff
        self._session = session
        self._owns_session = session is None
        self._sleep = sleep

    async def __aenter__(self) -> DossierClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
            self._owns_session = True
        return self._session

    async def _request(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        """(status, JSON body) of the first answer below 500 (429 is retried too)."""
        problem = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                await self._sleep(self.backoff * 2 ** (attempt - 1))
            try:
                async with self._get_session().request(
                    method, self.base_url + path, timeout=self.timeout, **kwargs
                ) as response:
                    text = await response.text()
                    status = response.status
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                problem = type(exc).__name__
                continue
            if status < 500 and status != 429:
                return status, _json_or_none(text)
            problem = f"HTTP {status}"
        raise ServiceUnavailable(f"{method} {path}: {problem} after {self.retries + 1} attempts")

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    @staticmethod
    def _raise_for(status: int, body: Any) -> None:
        data = body if isinstance(body, Mapping) else {}
        if status in (400, 409, 413, 422):
            raise Invalid(str(data.get("error") or f"http_{status}"), data.get("details"))
        if status in (401, 403):
            raise Unauthorized(f"HTTP {status}")
        if status == 404:
            raise NotFound(str(data.get("error") or "not_found"))
        raise DossierError(f"unexpected HTTP {status}")

    async def create(self, submission: Mapping[str, Any], idempotency_key: str) -> dict[str, Any]:
        """The dossier as the owner may see it (reference, type, status, municipality, counter)."""
        headers = {**self._auth(), "Idempotency-Key": idempotency_key}
        status, body = await self._request("POST", "/api/dossiers", json=dict(submission),
                                           headers=headers)
        if status in (200, 201) and isinstance(body, dict):
            return body
        self._raise_for(status, body)
        raise AssertionError("unreachable")

    async def get_status(self, reference: str, email: str,
                         conversation_id: str | None = None) -> dict[str, Any]:
        """Raises NotFound for an unknown reference or an e-mail that does not match. The
        e-mail travels in the POST body; `conversation_id` is what the service's lookup limit
        keys on (with the reference), since every chat's lookup comes from this address."""
        headers = self._auth()
        if conversation_id:
            headers["X-Conversation-Id"] = conversation_id
        path = f"/api/dossiers/{quote(reference.strip().upper(), safe='')}/owner-lookup"
        status, body = await self._request("POST", path, json={"email": email},
                                           headers=headers)
        if status == 200 and isinstance(body, dict):
            return body
        self._raise_for(status, body)
        raise AssertionError("unreachable")

    async def healthy(self) -> bool:
        try:
            status, _ = await self._request("GET", "/health")
        except ServiceUnavailable:
            return False
        return status == 200
