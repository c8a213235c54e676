"""The action server's dossier outbox on the storage layer, on SQLite and PostgreSQL: queued
while the service is down, delivered once, personal data emptied after delivery, a rejected
submission not retried, and two replicas sharing one PostgreSQL outbox make no extra dossier."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from bot.dossiers.client.api import Invalid, ServiceUnavailable
from bot.dossiers.client.outbox import Outbox

SUBMISSION = {"type": "terras", "applicant": {"name": "Lotte Verbeke"}}


class FakeService:
    """Stands in for the dossier service's client: idempotent per key, like the real one."""

    def __init__(self) -> None:
        self.down = True
        self.dossiers: dict[str, dict[str, Any]] = {}
        self.calls = 0

    async def create(self, submission: Mapping[str, Any], key: str) -> dict[str, Any]:
        self.calls += 1
        await asyncio.sleep(0.01)  # let concurrent deliveries interleave
        if self.down:
            raise ServiceUnavailable("connection refused")
        if submission.get("type") == "bad":
            raise Invalid("invalid_field")
        return self.dossiers.setdefault(key, {"reference": f"OVL-{len(self.dossiers) + 1}"})


async def test_a_submission_waits_while_the_service_is_down_then_is_delivered_once(url: str
                                                                                  ) -> None:
    service = FakeService()
    outbox = Outbox(service, url)  # type: ignore[arg-type]
    try:
        assert (await outbox.submit(SUBMISSION, "key-0001")).queued
        assert await outbox.pending_count() == 1
        assert await outbox.deliver_pending() is False
        service.down = False
        assert await outbox.deliver_pending() is True
        assert await outbox.deliver_pending() is True
        assert await outbox.pending_count() == 0
        result = await outbox.result("key-0001")
        assert result is not None and not result.queued and result.reference == "OVL-1"
        row = await outbox.db.fetch_one("SELECT payload, attempts FROM outbox")
        assert row is not None and row["payload"] == "{}" and row["attempts"] == 2
        assert list(service.dossiers) == ["key-0001"]
    finally:
        await outbox.close()


async def test_a_rejected_submission_is_not_retried(url: str) -> None:
    service = FakeService()
    outbox = Outbox(service, url)  # type: ignore[arg-type]
    try:
        await outbox.submit({"type": "bad"}, "bad-key")
        await outbox.submit(SUBMISSION, "good-key")
        service.down = False
        assert await outbox.deliver_pending() is True
        calls = service.calls
        assert await outbox.deliver_pending() is True and service.calls == calls
        rejected = await outbox.result("bad-key")
        assert rejected is not None and rejected.dossier is None and not rejected.queued
        assert list(service.dossiers) == ["good-key"]
    finally:
        await outbox.close()


async def test_two_replicas_sharing_the_outbox_make_each_dossier_once(url: str) -> None:
    service = FakeService()
    first, second = Outbox(service, url), Outbox(service, url)  # type: ignore[arg-type]
    try:
        for n in range(5):
            await first.submit({**SUBMISSION, "n": n}, f"shared-{n}")
        service.down = False
        assert await asyncio.gather(first.deliver_pending(), second.deliver_pending()) \
            == [True, True]
        assert await first.pending_count() == 0 and await second.pending_count() == 0
        assert sorted(service.dossiers) == [f"shared-{n}" for n in range(5)]
    finally:
        await first.close()
        await second.close()
