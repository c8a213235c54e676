"""The dossier service: a small JSON API standing in for the municipality's case system.

Routes are listed in `_routes`; handlers only translate HTTP to `DossierDesk` calls."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.deployment import DEFAULT_REFERENCE_PREFIX
from bot.dossiers.dossier_types import DossierType, load_dossier_types
from bot.dossiers.models import STATUSES, DossierFilter
from bot.dossiers.references import new_reference
from bot.dossiers.requested_documents import RequestedDocuments, load_requested_documents
from bot.dossiers.service.auth import (
    ACTING_ID,
    MIN_TOKEN_LENGTH,
    Officer,
    OfficerDirectory,
    bearer_token,
    requesting_officer,
    token_matches,
)
from bot.dossiers.service.desk import (
    DossierDesk,
    DossierNotFound,
    IdempotencyKeyReused,
    InvalidTransition,
    utc_now,
)
from bot.dossiers.service.document_desk import DocumentDesk
from bot.dossiers.service.document_routes import DocumentHandlers, document_routes
from bot.dossiers.service.mail_outbox import MailWorker
from bot.dossiers.service.mail_texts import MailTexts, load_mail_texts
from bot.dossiers.service.mailer import Mailer
from bot.dossiers.service.ratelimit import LookupLimiter, lookup_limiter, retry_after_header
from bot.dossiers.service.retention import PurgeWorker, RetentionFor, tenant_retention
from bot.dossiers.service.sql import SqlStorage
from bot.dossiers.service.storage import DossierStorage, StaleStatus
from bot.dossiers.service.submission import SubmissionError
from bot.dossiers.service.webhooks import WebhookDirectory, WebhookWorker
from bot.shared_state import SharedStateSettings

logger = logging.getLogger(__name__)
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:-]{8,200}")
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
NIS = re.compile(r"\d{5}")
BRUSSELS = ZoneInfo("Europe/Brussels")
MAX_NOTE = 1000
MAX_INTERNAL_NOTE = 4000
MAX_LIST_LIMIT = 5000  # the CSV export asks for everything that matches, up to this
MAX_BODY_BYTES = 64 * 1024
CONVERSATION_HEADER = "X-Conversation-Id"  # sent by the action server with the service token
MAX_CONVERSATION_ID = 200
DESK: web.AppKey[DossierDesk] = web.AppKey("desk", DossierDesk)
MAIL_WORKER: web.AppKey[MailWorker] = web.AppKey("mail_worker", MailWorker)
WEBHOOK_WORKER: web.AppKey[WebhookWorker] = web.AppKey("webhook_worker", WebhookWorker)
PURGE_WORKER: web.AppKey[PurgeWorker] = web.AppKey("purge_worker", PurgeWorker)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _error(status: int, code: str, headers: Mapping[str, str] | None = None,
           **extra: Any) -> web.Response:
    return web.json_response({"error": code, **extra}, status=status, headers=headers)


async def _json_body(request: web.Request) -> Any:
    try:
        return await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise web.HTTPBadRequest(text='{"error": "invalid_json"}',
                                 content_type="application/json") from exc


class _Handlers:
    def __init__(self, desk: DossierDesk, service_token: str, officers: OfficerDirectory,
                 limiter: LookupLimiter) -> None:
        self.desk = desk
        self.service_token = service_token
        self.officers = officers
        self.limiter = limiter

    def _officer(self, request: web.Request) -> Officer:
        return requesting_officer(request, self.officers)

    async def health(self, request: web.Request) -> web.Response:
        try:
            await asyncio.wait_for(self.desk.storage.ping(), timeout=2)
        except Exception:  # any database failure means "not healthy"
            logger.warning("dossier storage unreachable", exc_info=True)
            return _error(503, "storage_unavailable")
        return web.json_response({"status": "ok"})

    async def create(self, request: web.Request) -> web.Response:
        if not token_matches(bearer_token(request), self.service_token):
            return _error(401, "unauthorized")
        key = request.headers.get("Idempotency-Key", "")
        if not IDEMPOTENCY_KEY.fullmatch(key):
            return _error(400, "idempotency_key_required")
        try:
            dossier, created = await self.desk.submit(await _json_body(request), key)
        except SubmissionError as exc:
            return _error(422, "invalid_submission", details=exc.errors)
        except IdempotencyKeyReused:
            return _error(422, "idempotency_key_reused")
        if created:
            logger.info("dossier %s created (%s, counter %s)", dossier.reference,
                        dossier.type, dossier.counter)
        return web.json_response(dossier.owner_view(), status=201 if created else 200,
                                 headers={"Location": f"/api/dossiers/{dossier.reference}"})

    async def show(self, request: web.Request) -> web.Response:
        reference = request.match_info["reference"]
        if "Authorization" in request.headers:
            dossier, history, notes, mails = await self.desk.details(reference,
                                                                    self._officer(request))
            return web.json_response({**dossier.officer_view(),
                                      "history": [change.as_dict() for change in history],
                                      "internal_notes": [note.as_dict() for note in notes],
                                      "owner_mails": mails})
        # The owners' lookup moved to a POST body: the e-mail travelled in this query string.
        return _error(410, "use_post_owner_lookup",
                      use=f"POST /api/dossiers/{reference[:40]}/owner-lookup")

    async def owner_lookup(self, request: web.Request) -> web.Response:
        """POST {"email": ...}: the owner's view of a dossier. Limited per reference and
        conversation (X-Conversation-Id, believed only with the service token: the action
        server's one address is shared by every chat), else per client address."""
        reference = request.match_info["reference"].strip().upper()[:40]
        conversation = request.headers.get(CONVERSATION_HEADER, "")
        if conversation and token_matches(bearer_token(request), self.service_token):
            if len(conversation) > MAX_CONVERSATION_ID:
                return _error(400, "invalid_conversation_id")
            key = f"{reference}|conversation:{conversation}"
        else:
            key = f"address:{request.remote or 'unknown'}"
        decision = await self.limiter.check(key)
        if not decision.allowed:
            return _error(429, "too_many_requests",
                          headers={"Retry-After": retry_after_header(decision)})
        body = await _json_body(request)
        email = body.get("email") if isinstance(body, dict) else None
        if not isinstance(email, str) or not email.strip():
            return _error(400, "email_required")
        found = await self.desk.find_for_owner(reference, email)
        if found is None:
            return _error(404, "not_found")
        return web.json_response({**found.owner_view(),
                                  "last_note": await self.desk.owner_note(found)})

    async def list_for_counter(self, request: web.Request) -> web.Response:
        officer = self._officer(request)
        counter = request.match_info["counter"]
        if not officer.may_access(counter):
            return _error(403, "forbidden")
        status = request.query.get("status") or None
        if status is not None and status not in STATUSES:
            return _error(400, "unknown_status")
        try:
            limit = min(max(int(request.query.get("limit", "100")), 1), 500)
        except ValueError:
            return _error(400, "invalid_limit")
        dossiers = await self.desk.storage.list_for_counter(counter, status=status, limit=limit)
        return web.json_response({"counter": counter,
                                  "dossiers": [d.officer_view() for d in dossiers]})

    async def search(self, request: web.Request) -> web.Response:
        """GET /api/dossiers?status=&type=&municipality=&from=&to=&q=&limit=&offset= for the
        caller's counters: a page, the total, counts per status and the filter options."""
        officer = self._officer(request)
        try:
            query = _filter(request.query)
        except ValueError as exc:
            return _error(400, str(exc))
        dossiers, total, counts, facets = await self.desk.search(query, officer)
        return web.json_response({"dossiers": [d.officer_view() for d in dossiers],
                                  "total": total, "counts": counts, "facets": facets})

    async def update_status(self, request: web.Request) -> web.Response:
        officer = self._officer(request)
        body = await _json_body(request)
        body = body if isinstance(body, dict) else {}
        status, note, version = body.get("status"), body.get("note"), body.get("expected_version")
        if status not in STATUSES:
            return _error(422, "unknown_status", allowed=list(STATUSES))
        if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
            return _error(422, "invalid_note")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            return _error(422, "invalid_expected_version")
        note = note.strip() or None if isinstance(note, str) else None
        try:
            dossier = await self.desk.change_status(request.match_info["reference"], status,
                                                    officer, note, version)
        except InvalidTransition as exc:
            return _error(409, "invalid_transition", current=exc.current, allowed=exc.allowed)
        except StaleStatus:
            return _error(409, "status_changed_concurrently")
        logger.info("dossier %s: status %s by %s", dossier.reference, status, officer.id)
        return web.json_response(dossier.officer_view())

    async def assign(self, request: web.Request) -> web.Response:
        """PUT {"id": ..., "name": ...} assigns, {"id": null} removes the assignment."""
        officer = self._officer(request)
        body = await _json_body(request)
        body = body if isinstance(body, dict) else {}
        assignee, name = body.get("id"), body.get("name")
        if assignee is not None and not (isinstance(assignee, str)
                                         and ACTING_ID.fullmatch(assignee)):
            return _error(422, "invalid_assignee")
        if name is not None and (not isinstance(name, str) or len(name) > 200):
            return _error(422, "invalid_assignee")
        dossier = await self.desk.assign(request.match_info["reference"], officer, assignee,
                                         name)
        logger.info("dossier %s: assigned by %s", dossier.reference, officer.id)
        return web.json_response(dossier.officer_view())

    async def add_note(self, request: web.Request) -> web.Response:
        officer = self._officer(request)
        body = await _json_body(request)
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_INTERNAL_NOTE:
            return _error(422, "invalid_note")
        note = await self.desk.add_note(request.match_info["reference"], officer, text.strip())
        return web.json_response(note.as_dict(), status=201)


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"invalid_{name}") from None


def _filter(params: Mapping[str, str]) -> DossierFilter:
    """The list's query parameters; raises ValueError with the error code."""
    status = params.get("status") or None
    if status is not None and status not in STATUSES:
        raise ValueError("unknown_status")
    dossier_type = params.get("type") or None
    if dossier_type is not None and not SLUG.fullmatch(dossier_type):
        raise ValueError("invalid_type")
    nis = params.get("municipality") or None
    if nis is not None and not NIS.fullmatch(nis):
        raise ValueError("invalid_municipality")
    first, last = _day(params.get("from", ""), "from"), _day(params.get("to", ""), "to")
    text = (params.get("q") or "").strip()[:100] or None
    try:
        limit = min(max(int(params.get("limit", "100")), 1), MAX_LIST_LIMIT)
        offset = max(int(params.get("offset", "0")), 0)
    except ValueError:
        raise ValueError("invalid_limit") from None
    # days are Brussels calendar days; "to" includes the whole day
    start = datetime.combine(first, time(), BRUSSELS) if first else None
    end = datetime.combine(last + timedelta(days=1), time(), BRUSSELS) if last else None
    return DossierFilter(status=status, type=dossier_type, municipality_nis=nis,
                         created_from=start, created_before=end,
                         text=text.lower() if text else None, limit=limit, offset=offset)


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except DossierNotFound:
        response = _error(404, "not_found")
    except web.HTTPException as exc:
        exc.headers["Cache-Control"] = "no-store"
        raise
    except (OSError, asyncio.TimeoutError):
        logger.exception("dossier storage failure")
        response = _error(503, "storage_unavailable")
    except Exception:
        logger.exception("unexpected error in the dossier service")
        response = _error(500, "internal_error")
    response.headers["Cache-Control"] = "no-store"
    return response


def _routes(h: _Handlers) -> Iterable[web.RouteDef]:
    return [
        web.get("/health", h.health),
        # Readiness is the same question here: the service can work only while its store
        # answers (the proxy and Kubernetes probe /ready, see deploy/).
        web.get("/ready", h.health),
        web.post("/api/dossiers", h.create),
        web.get("/api/dossiers", h.search),
        web.get("/api/dossiers/{reference}", h.show),
        web.post("/api/dossiers/{reference}/owner-lookup", h.owner_lookup),
        web.patch("/api/dossiers/{reference}", h.update_status),
        web.put("/api/dossiers/{reference}/assignee", h.assign),
        web.post("/api/dossiers/{reference}/notes", h.add_note),
        web.get("/api/counters/{counter}/dossiers", h.list_for_counter),
    ]


def create_dossier_app(
    storage: DossierStorage,
    officer_tokens: Mapping[str, Any],
    *,
    service_token: str,
    dossier_types: Mapping[str, DossierType] | None = None,
    requested_documents: RequestedDocuments | None = None,
    reference_prefix: str = DEFAULT_REFERENCE_PREFIX,
    clock: Callable[[], datetime] = utc_now,
    reference_factory: Callable[[str, int], str] = new_reference,
    lookup_limit: int = 20,
    lookup_window_seconds: float = 60.0,
    migrate_on_startup: bool = True,
    mail_texts: MailTexts | None = None,
    mailer: Mailer | None = None,
    mail_interval_seconds: float = 10.0,
    webhooks: WebhookDirectory | None = None,
    deliver_webhooks: bool = False,
    webhook_interval_seconds: float = 10.0,
    purge_interval_seconds: float | None = None,
    closed_retention: RetentionFor | None = None,
    shared_state: SharedStateSettings | None = None,
) -> web.Application:
    """The service app. The caller owns `storage` (and closes it).

    Owner e-mails are always queued in the outbox (texts from content/mail.yml unless
    `mail_texts` is given); they are sent only when a `mailer` is given (the CLI always gives
    one: SMTP or .eml files).

    Webhook events are queued for counters with a webhook (content/tenants/*.yml unless
    `webhooks` is given) and delivered when `deliver_webhooks` is true (the CLI).

    With `purge_interval_seconds` (the CLI: PURGE_INTERVAL_SECONDS) closed dossiers older than
    their tenant's retention are deleted at that interval (bot/dossiers/service/retention.py;
    `closed_retention` defaults to content/tenants/*.yml).

    An owner's upload may name one of its dossier type's requested documents
    (content/requested_documents.yml unless `requested_documents` is given).

    With `shared_state` naming a Redis (the CLI in the production profile) the owners' look-up
    limit is counted there, for every replica together; else in this process."""
    if len(service_token or "") < MIN_TOKEN_LENGTH:
        raise ValueError(f"the service token needs at least {MIN_TOKEN_LENGTH} characters")
    types = dossier_types if dossier_types is not None else load_dossier_types()
    texts = mail_texts if mail_texts is not None else load_mail_texts()
    requested = requested_documents if requested_documents is not None \
        else load_requested_documents()
    worker = MailWorker(storage, mailer, clock, interval_seconds=mail_interval_seconds) \
        if mailer is not None else None
    directory = webhooks if webhooks is not None else WebhookDirectory()
    hook_worker = WebhookWorker(storage, directory, clock,
                                interval_seconds=webhook_interval_seconds) \
        if deliver_webhooks else None
    desk = DossierDesk(storage, types, reference_prefix=reference_prefix, clock=clock,
                       reference_factory=reference_factory, mail=texts,
                       mail_queued=worker.wake if worker else lambda: None,
                       webhooks=directory,
                       webhook_queued=hook_worker.wake if hook_worker else lambda: None)
    limiter = lookup_limiter(lookup_limit, lookup_window_seconds,
                             shared_state or SharedStateSettings())
    handlers = _Handlers(desk, service_token, OfficerDirectory(officer_tokens), limiter)
    app = web.Application(middlewares=[_errors], client_max_size=MAX_BODY_BYTES)
    app[DESK] = desk
    app.add_routes(_routes(handlers))
    app.add_routes(document_routes(DocumentHandlers(DocumentDesk(desk, requested), service_token,
                                                    handlers.officers, handlers.limiter)))

    async def migrate(_: web.Application) -> AsyncIterator[None]:
        await storage.migrate()
        yield

    async def close_limiter(_: web.Application) -> AsyncIterator[None]:
        yield
        await limiter.close()

    app.cleanup_ctx.append(close_limiter)

    if migrate_on_startup:
        app.cleanup_ctx.append(migrate)
    if worker is not None:
        app[MAIL_WORKER] = worker

        async def send_mail(_: web.Application) -> AsyncIterator[None]:
            task = asyncio.create_task(worker.run())
            yield
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        app.cleanup_ctx.append(send_mail)
    if purge_interval_seconds is not None and isinstance(storage, SqlStorage):
        purger = PurgeWorker(storage, closed_retention or tenant_retention(), clock,
                             interval_seconds=purge_interval_seconds)
        app[PURGE_WORKER] = purger

        async def purge(_: web.Application) -> AsyncIterator[None]:
            async with purger.running():
                yield

        app.cleanup_ctx.append(purge)
    if hook_worker is not None:
        app[WEBHOOK_WORKER] = hook_worker

        async def deliver(_: web.Application) -> AsyncIterator[None]:
            task = asyncio.create_task(hook_worker.run())
            yield
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await hook_worker.close()

        app.cleanup_ctx.append(deliver)
    return app
