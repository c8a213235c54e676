"""Hand-off requests per counter: the live queue (queued → taken → returned | closed) and
call-back requests (callback → closed).

`open_or_create` is the one way a new request comes in: in one write transaction it returns
the conversation's open request if there is one (never a second), refuses when the counter
already has `max_waiting` requests waiting (queued or call-back), and otherwise stores it."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.handoff.db import Database, Transaction
from bot.handoff.models import HandoffRequest, Kind, Status

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
REFERENCE_PREFIX = "HO"

_INSERT = (
    "INSERT INTO requests (reference, conversation_id, owner_token_hash, kind, counter,"
    " counter_name, municipality, topic, topic_title, summary, status, created_at)"
    " VALUES (:reference, :conversation_id, :owner_token_hash, :kind, :counter, :counter_name,"
    " :municipality, :topic, :topic_title, :summary, :status, :created_at) RETURNING id")
OPEN_STATUSES = ("queued", "taken", "callback")
WAITING_STATUSES = ("queued", "callback")

_SELECT = """
SELECT r.*, o.display_name AS taken_by_name FROM requests r
LEFT JOIN officers o ON o.id = r.taken_by
"""


def new_reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{REFERENCE_PREFIX}-{body[:4]}-{body[4:]}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewRequest:
    conversation_id: str
    counter: str
    counter_name: str
    municipality: str | None = None
    topic: str | None = None
    topic_title: str | None = None
    summary: str = ""


def _request(row: Any) -> HandoffRequest:
    return HandoffRequest(
        id=row["id"], reference=row["reference"], conversation_id=row["conversation_id"],
        kind=row["kind"], counter=row["counter"], counter_name=row["counter_name"],
        municipality=row["municipality"], topic=row["topic"], topic_title=row["topic_title"],
        summary=row["summary"], status=row["status"], created_at=row["created_at"],
        taken_by=row["taken_by"], taken_by_name=row["taken_by_name"],
        contact_kind=row["contact_kind"], contact=row["contact"], closed_at=row["closed_at"])


Created = Literal["created", "existing", "full"]


class RequestStore:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock

    async def create(self, new: NewRequest, kind: Kind) -> tuple[HandoffRequest, str]:
        """Store a request; returns it with the owner's token (only its hash is kept)."""
        token = secrets.token_urlsafe(24)
        status: Status = "queued" if kind == "live" else "callback"
        async with self._db.write() as tx:
            request_id = await self._insert(tx, new, kind, status, token)
        request = await self.get(request_id)
        assert request is not None
        return request, token

    async def open_or_create(self, new: NewRequest, kind: Kind, max_waiting: int
                             ) -> tuple[Created, HandoffRequest | None, str | None]:
        """(outcome, request, owner token): `existing` with the conversation's open request
        (no token: it was given before), `full` with no request when the counter has
        `max_waiting` requests waiting, else `created` with the new request and its token."""
        token = secrets.token_urlsafe(24)
        status: Status = "queued" if kind == "live" else "callback"
        async with self._db.write() as tx:  # one writer at a time: no interleaving
            await tx.lock("handoff.requests.open_or_create")  # across replicas too
            row = await tx.fetch_one(
                "SELECT id FROM requests WHERE conversation_id = :conversation_id"
                " AND status IN :statuses ORDER BY id DESC LIMIT 1",
                {"conversation_id": new.conversation_id, "statuses": list(OPEN_STATUSES)},
                expanding=("statuses",))
            if row is not None:
                existing_id, outcome = int(row["id"]), "existing"
            else:
                waiting = await tx.fetch_one(
                    "SELECT COUNT(*) AS waiting FROM requests WHERE counter = :counter"
                    " AND status IN :statuses",
                    {"counter": new.counter, "statuses": list(WAITING_STATUSES)},
                    expanding=("statuses",))
                if waiting is not None and int(waiting["waiting"]) >= max_waiting:
                    return "full", None, None
                existing_id = await self._insert(tx, new, kind, status, token)
                outcome = "created"
        request = await self.get(existing_id)
        assert request is not None
        if outcome == "existing":
            return "existing", request, None
        return "created", request, token

    async def _insert(self, tx: Transaction, new: NewRequest, kind: Kind, status: Status,
                      token: str) -> int:
        row = await tx.fetch_one(_INSERT, {
            "reference": new_reference(), "conversation_id": new.conversation_id,
            "owner_token_hash": token_hash(token), "kind": kind, "counter": new.counter,
            "counter_name": new.counter_name, "municipality": new.municipality,
            "topic": new.topic, "topic_title": new.topic_title, "summary": new.summary,
            "status": status, "created_at": self._clock()})
        assert row is not None
        return int(row["id"])

    async def erase_conversation(self, conversation_id: str) -> int:
        """Delete the conversation's requests (with the contact data given for a call-back)
        and its transcript lines; returns how many requests were deleted."""
        async with self._db.write() as tx:
            await tx.execute("DELETE FROM messages WHERE conversation_id = :id",
                             {"id": conversation_id})
            return await tx.execute("DELETE FROM requests WHERE conversation_id = :id",
                                    {"id": conversation_id})

    async def purge_before(self, cutoff: float) -> tuple[int, int]:
        """Retention: delete the requests last touched (created or closed) before `cutoff`,
        whatever their status, with their contact data, and the transcript lines written
        before it; returns (requests, messages) deleted."""
        async with self._db.write() as tx:
            messages = await tx.execute("DELETE FROM messages WHERE created_at < :cutoff",
                                        {"cutoff": cutoff})
            requests = await tx.execute(
                "DELETE FROM requests WHERE created_at < :cutoff"
                " AND COALESCE(taken_at, 0) < :cutoff AND COALESCE(closed_at, 0) < :cutoff",
                {"cutoff": cutoff})
            return requests, messages

    async def get(self, request_id: int) -> HandoffRequest | None:
        row = await self._db.fetch_one(_SELECT + " WHERE r.id = :id", {"id": request_id})
        return _request(row) if row else None

    async def by_reference(self, reference: str) -> HandoffRequest | None:
        row = await self._db.fetch_one(_SELECT + " WHERE r.reference = :reference",
                                       {"reference": reference})
        return _request(row) if row else None

    async def open_for_conversation(self, conversation_id: str) -> HandoffRequest | None:
        """The conversation's request that is still waiting or running (live or call-back)."""
        row = await self._db.fetch_one(
            _SELECT + " WHERE r.conversation_id = :id AND r.status IN :statuses"
            " ORDER BY r.id DESC LIMIT 1", {"id": conversation_id, "statuses": list(OPEN_STATUSES)},
            expanding=("statuses",))
        return _request(row) if row else None

    async def latest_for_conversation(self, conversation_id: str) -> HandoffRequest | None:
        row = await self._db.fetch_one(
            _SELECT + " WHERE r.conversation_id = :id ORDER BY r.id DESC LIMIT 1",
            {"id": conversation_id})
        return _request(row) if row else None

    async def owner_token_matches(self, conversation_id: str, token: str) -> bool:
        row = await self._db.fetch_one(
            "SELECT 1 FROM requests WHERE conversation_id = :id AND owner_token_hash = :hash",
            {"id": conversation_id, "hash": token_hash(token)})
        return row is not None

    async def position(self, request: HandoffRequest) -> int | None:
        """1 for the first in its counter's queue; None when it is not queued."""
        if request.status != "queued":
            return None
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS ahead FROM requests WHERE counter = :counter"
            " AND status = 'queued' AND (created_at < :at OR (created_at = :at AND id < :id))",
            {"counter": request.counter, "at": request.created_at, "id": request.id})
        return 1 + int(row["ahead"] if row else 0)

    async def for_counters(self, counters: Sequence[str], statuses: Sequence[Status],
                           limit: int = 200) -> list[HandoffRequest]:
        if not counters or not statuses:
            return []
        rows = await self._db.fetch_all(
            _SELECT + " WHERE r.counter IN :counters AND r.status IN :statuses"
            " ORDER BY r.created_at, r.id LIMIT :limit",
            {"counters": list(counters), "statuses": list(statuses), "limit": limit},
            expanding=("counters", "statuses"))
        return [_request(row) for row in rows]

    async def closed_callbacks(self, counters: Sequence[str], limit: int = 20
                               ) -> list[HandoffRequest]:
        if not counters:
            return []
        rows = await self._db.fetch_all(
            _SELECT + " WHERE r.counter IN :counters AND r.kind = 'callback'"
            " AND r.status = 'closed' ORDER BY r.closed_at DESC LIMIT :limit",
            {"counters": list(counters), "limit": limit}, expanding=("counters",))
        return [_request(row) for row in rows]

    async def live(self) -> list[HandoffRequest]:
        rows = await self._db.fetch_all(
            _SELECT + " WHERE r.status IN ('queued', 'taken') ORDER BY r.id")
        return [_request(row) for row in rows]

    async def take(self, request_id: int, officer_id: int) -> bool:
        """Atomically: only a queued request can be taken, by one officer."""
        changed = await self._db.execute(
            "UPDATE requests SET status = 'taken', taken_by = :officer_id, taken_at = :now"
            " WHERE id = :id AND status = 'queued'",
            {"officer_id": officer_id, "now": self._clock(), "id": request_id})
        return changed == 1

    async def finish(self, request_id: int, status: Status, from_statuses: Sequence[Status]
                     ) -> bool:
        """Move to `returned` or `closed` when the request is still in one of `from_statuses`."""
        changed = await self._db.execute(
            "UPDATE requests SET status = :status, closed_at = :now WHERE id = :id"
            " AND status IN :from_statuses",
            {"status": status, "now": self._clock(), "id": request_id,
             "from_statuses": list(from_statuses)}, expanding=("from_statuses",))
        return changed == 1

    async def set_contact(self, request_id: int, kind: str, value: str) -> bool:
        changed = await self._db.execute(
            "UPDATE requests SET contact_kind = :kind, contact = :value WHERE id = :id"
            " AND status = 'callback'", {"kind": kind, "value": value, "id": request_id})
        return changed == 1
