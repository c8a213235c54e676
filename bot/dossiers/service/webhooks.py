"""Signed outgoing webhooks per counter: every new dossier and every status change is POSTed
as JSON to the counter's receiver (its case management system, the Flemish e-loket, ...),
signed with HMAC-SHA256 over `<timestamp>.<body>`, from an outbox, in order per dossier,
retried with back-off until the receiver answers 2xx. Payload and headers:
docs/dossier-webhook.md.

The receiver's URL and the *name* of the environment variable with the shared secret come
from content/tenants/<tenant>.yml (`webhook: {url, secret_env}` on a counter)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bot.dossiers.models import Dossier, StatusChange
from bot.paths import DEFAULT_CONTENT_DIR

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Ondernemersloket-Signature"
TIMESTAMP_HEADER = "X-Ondernemersloket-Timestamp"
EVENT_HEADER = "X-Ondernemersloket-Event"
DELIVERY_HEADER = "X-Ondernemersloket-Delivery"
CREATED = "dossier.created"
STATUS_CHANGED = "dossier.status_changed"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, b"<timestamp>." + body)."""
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body,
                   hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now: float,
           tolerance_seconds: float = 300) -> bool:
    """What a receiver does (also used by the tests): right signature, recent timestamp."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    if abs(now - stamp) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret, stamp, body), signature)


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    secret_env: str


@dataclass(frozen=True)
class WebhookEvent:
    """One event waiting in the webhook outbox; `event_id` is unique per dossier event."""

    event_id: str
    reference: str
    seq: int
    tenant: str
    counter: str
    event: str
    body: str
    created_at: datetime
    attempts: int = 0


class WebhookDirectory:
    """Which counters have a webhook: from the tenant files, or given directly (tests)."""

    def __init__(self, content_dir: Path = DEFAULT_CONTENT_DIR,
                 targets: Mapping[tuple[str, str], WebhookTarget] | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        self.content_dir = content_dir
        self._targets = targets
        self._env: Mapping[str, str] = env or {}  # where the secrets are (the service's env)

    def target(self, tenant: str, counter: str) -> WebhookTarget | None:
        if self._targets is not None:
            return self._targets.get((tenant, counter))
        return _tenant_targets(self.content_dir / "tenants" / f"{tenant}.yml").get(counter)

    def secret(self, target: WebhookTarget) -> str | None:
        return self._env.get(target.secret_env) or None


@lru_cache(maxsize=8)
def _tenant_targets(path: Path) -> dict[str, WebhookTarget]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError:
        return {}
    targets = {}
    for counter in data.get("counters") or ():
        hook = counter.get("webhook") if isinstance(counter, Mapping) else None
        if isinstance(hook, Mapping) and hook.get("url") and hook.get("secret_env"):
            targets[str(counter["id"])] = WebhookTarget(str(hook["url"]), str(hook["secret_env"]))
    return targets


def _dossier_json(dossier: Dossier) -> dict[str, Any]:
    """What the municipality's system receives of the dossier: no internal notes, no
    assignment, no link to the chat conversation."""
    return {
        "reference": dossier.reference, "type": dossier.type, "status": dossier.status,
        "tenant": dossier.tenant, "counter": dossier.counter,
        "municipality": {"nis": dossier.municipality_nis, "name": dossier.municipality_name},
        "applicant": dossier.applicant.as_dict(), "fields": dict(dossier.fields),
        "created_at": dossier.created_at.isoformat(), "updated_at": dossier.updated_at.isoformat(),
    }


def _event(directory: WebhookDirectory, dossier: Dossier, kind: str, seq: int, now: datetime,
           change: StatusChange | None) -> list[WebhookEvent]:
    if directory.target(dossier.tenant, dossier.counter) is None:
        return []
    event_id = f"{dossier.reference}/{seq}"
    payload: dict[str, Any] = {"event": kind, "event_id": event_id,
                               "occurred_at": now.isoformat(), "dossier": _dossier_json(dossier)}
    if change is not None:
        payload["change"] = {"seq": change.seq, "from": change.from_status,
                             "to": change.to_status, "note": change.note,
                             "by": change.actor_name or change.actor,
                             "at": change.changed_at.isoformat()}
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    return [WebhookEvent(event_id, dossier.reference, seq, dossier.tenant, dossier.counter, kind,
                         body, now)]


def created_events(directory: WebhookDirectory, dossier: Dossier, now: datetime
                   ) -> list[WebhookEvent]:
    return _event(directory, dossier, CREATED, 1, now, None)


def status_events(directory: WebhookDirectory, dossier: Dossier, change: StatusChange
                  ) -> list[WebhookEvent]:
    return _event(directory, dossier, STATUS_CHANGED, change.seq, change.changed_at, change)


def retry_delay(attempts: int, first: float = 30.0, longest: float = 3600.0) -> float:
    return float(min(longest, first * 2 ** max(0, attempts - 1)))


class WebhookWorker:
    """Delivers due events; a receiver that is down delays them and loses none."""

    def __init__(self, storage: Any, directory: WebhookDirectory,
                 clock: Callable[[], datetime], *, interval_seconds: float = 10.0,
                 timeout_seconds: float = 10.0, lease_seconds: float = 300.0,
                 first_retry_seconds: float = 30.0, longest_retry_seconds: float = 3600.0,
                 batch: int = 20, session: aiohttp.ClientSession | None = None) -> None:
        self.storage = storage
        self.directory = directory
        self.clock = clock
        self.interval = interval_seconds
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self.lease = timedelta(seconds=lease_seconds)
        self.first_retry = first_retry_seconds
        self.longest_retry = longest_retry_seconds
        self.batch = batch
        self._session = session
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def _post(self, event: WebhookEvent) -> tuple[int | None, str | None]:
        """(HTTP status, error) of one attempt."""
        target = self.directory.target(event.tenant, event.counter)
        if target is None:
            return None, "no webhook configured for this counter (any more)"
        secret = self.directory.secret(target)
        if not secret:
            return None, f"secret {target.secret_env} is not set"
        body = event.body.encode("utf-8")
        stamp = int(self.clock().timestamp())
        headers = {"Content-Type": "application/json; charset=utf-8",
                   TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(secret, stamp, body),
                   EVENT_HEADER: event.event, DELIVERY_HEADER: event.event_id,
                   "User-Agent": "ondernemersloket-dossiers"}
        try:
            async with self._get_session().post(target.url, data=body, headers=headers,
                                                timeout=self.timeout,
                                                allow_redirects=False) as response:
                await response.read()
                return response.status, None if 200 <= response.status < 300 else \
                    f"HTTP {response.status}"
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            return None, type(error).__name__

    async def deliver_due(self, max_rounds: int = 10) -> int:
        """Deliver what is due; a delivered event can make the next one of its dossier due,
        so rounds repeat while they deliver something. Returns how many were delivered."""
        total = 0
        for _ in range(max_rounds):
            delivered = await self._round()
            total += delivered
            if not delivered:
                break
        return total

    async def _round(self) -> int:
        delivered = 0
        now = self.clock()
        for event in await self.storage.due_webhooks(now, self.batch):
            if not await self.storage.claim_webhook(event.event_id, now, now + self.lease):
                continue
            status, error = await self._post(event)
            if error is None:
                await self.storage.webhook_delivered(event.event_id, self.clock(), status)
                delivered += 1
                continue
            delay = retry_delay(event.attempts + 1, self.first_retry, self.longest_retry)
            logger.warning("webhook %s for counter %s not delivered (attempt %d, %s); "
                           "next try in %.0f s", event.event_id, event.counter,
                           event.attempts + 1, error, delay)
            await self.storage.webhook_retry(event.event_id,
                                             self.clock() + timedelta(seconds=delay),
                                             status, error)
        return delivered

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.deliver_due()
            except Exception:
                logger.exception("webhook outbox pass failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
