"""The dossier pages of the officer console: the list of the officer's counters (filters,
search, counts, CSV export) and one dossier (fields, history, transcript, status changes,
assignment, internal notes).

Sessions and CSRF are the console's own (bot/handoff/web/auth.py); every view, change and
export goes to the console's audit log; the dossier service limits every answer to the
officer's counters (the console tells it whom it acts for)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.backoffice import documents, views
from bot.backoffice.client import DeskClient, DeskNotFound, DeskRejected, DeskUnavailable
from bot.backoffice.colleagues import officers_of_counter
from bot.backoffice.exports import dossiers_csv
from bot.backoffice.fields import counter_name, load_field_book
from bot.backoffice.render import Safe, render, texts
from bot.backoffice.state import BACKOFFICE_KEY, Backoffice
from bot.dossiers.models import STATUSES
from bot.handoff.officers import Session
from bot.handoff.rasa_api import RasaApiError
from bot.handoff.transcript import Transcript, build_transcript
from bot.handoff.web.auth import read_form, require_csrf, require_session
from bot.handoff.web.pages import page
from bot.handoff.web.services import Services, fill, services

PAGE_SIZE = 50
MAX_NOTE = 1000
MAX_INTERNAL_NOTE = 4000
REFERENCE_ROUTE = r"{reference:[A-Z]{2,5}-\d{4}-[A-Z0-9]{6}}"
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_NIS = re.compile(r"\d{5}")
NOTICES = {"changed": "info", "conflict": "error", "not_allowed": "error",
           "note_required": "error", "note_too_long": "error", "assigned": "info",
           "unassigned": "info", "not_a_colleague": "error", "note_added": "info",
           "note_empty": "error", "unavailable": "error"}
NAV = "nav.html"


def _backoffice(request: web.Request) -> Backoffice:
    return request.app[BACKOFFICE_KEY]


def _day(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        return ""


def list_filters(query: Mapping[str, str]) -> dict[str, str]:
    """The filters of the list from the query string; anything malformed is dropped."""
    status = query.get("status", "")
    dossier_type = query.get("type", "")
    nis = query.get("municipality", "")
    filters = {
        "q": " ".join(query.get("q", "").split())[:100],
        "status": status if status in STATUSES else "",
        "type": dossier_type if _SLUG.fullmatch(dossier_type) else "",
        "municipality": nis if _NIS.fullmatch(nis) else "",
        "from": _day(query.get("from", "")),
        "to": _day(query.get("to", "")),
    }
    return {key: value for key, value in filters.items() if value}


def _offset(query: Mapping[str, str]) -> int:
    try:
        return max(0, min(int(query.get("offset", "0")), 1_000_000))
    except ValueError:
        return 0


def _page(request: web.Request, session: Session, title: str, content: Safe,
          status: int = 200) -> web.Response:
    hub = services(request)
    notice_code = request.query.get("notice", "")
    kind = NOTICES.get(notice_code)
    notice = fill(texts()[f"notice_{notice_code}"], max=MAX_NOTE) if kind else None
    return page(hub.texts(), title=title, content=content, session=session, status=status,
                notice=notice, notice_kind=kind or "info", page_name="dossiers")


def _unavailable(request: web.Request, session: Session, key: str,
                 status: int = 503) -> web.Response:
    words = texts()
    content = render("unavailable.html", nav=render(NAV), text=words[key])
    return page(services(request).texts(), title=words["list_title"], content=content,
                session=session, status=status, page_name="dossiers")


def _desk(request: web.Request) -> DeskClient | None:
    return _backoffice(request).desk


async def list_page(request: web.Request) -> web.Response:
    session = await require_session(request, page=True)
    desk, words = _desk(request), texts()
    if desk is None:
        return _unavailable(request, session, "service_not_configured")
    filters, offset = list_filters(request.query), _offset(request.query)
    try:
        data = await desk.search(session.officer, {**filters, "limit": str(PAGE_SIZE),
                                                   "offset": str(offset)})
    except (DeskUnavailable, DeskRejected, DeskNotFound):
        return _unavailable(request, session, "service_unavailable")
    hub, bo = services(request), _backoffice(request)
    await hub.audit.record(session.officer.id, "dossiers_listed", urlencode(filters) or None)
    book = load_field_book(bo.config.content_dir)
    dossiers = data.get("dossiers") or []
    facets = data.get("facets") or {}
    total = int(data.get("total") or 0)
    type_pairs = [("", words["all_types"])] + [(t, book.type_title(t))
                                               for t in facets.get("types") or ()]
    places = [("", words["all_municipalities"])] + [
        (m["nis"], m["name"]) for m in facets.get("municipalities") or ()]
    statuses = [("", words["all_statuses"])] + [(s, views.status_label(words, s))
                                                for s in STATUSES]
    content = render(
        "dossiers.html", nav=render(NAV), q=filters.get("q", ""),
        status_options=views.options(statuses, filters.get("status", "")),
        type_options=views.options(type_pairs, filters.get("type", "")),
        municipality_options=views.options(places, filters.get("municipality", "")),
        **{"from": filters.get("from", ""), "to": filters.get("to", "")},
        counts=views.counts(words, filters, data.get("counts") or {}),
        total=views.total_text(words, total, offset, len(dossiers)),
        export_query="?" + urlencode(filters) if filters else "",
        table=views.table(words, book, dossiers, bo.clock()),
        pager=views.pager(filters, total, offset, PAGE_SIZE))
    return _page(request, session, words["list_title"], content)


async def export_csv(request: web.Request) -> web.StreamResponse:
    session = await require_session(request, page=True)
    desk, bo = _desk(request), _backoffice(request)
    if desk is None:
        return _unavailable(request, session, "service_not_configured")
    filters = list_filters(request.query)
    try:
        data = await desk.search(session.officer, {**filters, "offset": "0",
                                                   "limit": str(bo.config.export_limit)})
    except (DeskUnavailable, DeskRejected, DeskNotFound):
        return _unavailable(request, session, "service_unavailable")
    dossiers = data.get("dossiers") or []
    await services(request).audit.record(
        session.officer.id, "dossiers_exported",
        f"{len(dossiers)} dossiers" + (f"; {urlencode(filters)}" if filters else ""))
    now = bo.clock()
    body = dossiers_csv(texts(), load_field_book(bo.config.content_dir), dossiers, now)
    name = f"dossiers-{now.astimezone(views.BRUSSELS):%Y%m%d-%H%M}.csv"
    return web.Response(body=body, headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store"})


async def _transcript(hub: Services, conversation_id: str | None) -> Transcript | None:
    if not conversation_id:
        return None
    try:
        return build_transcript(await hub.rasa.tracker(conversation_id))
    except RasaApiError:
        return None


def _current_assignee(dossier: Mapping[str, Any]) -> str:
    assignee = str((dossier.get("assignee") or {}).get("id") or "")
    return assignee.removeprefix("console:") if assignee.startswith("console:") else ""


async def dossier_page(request: web.Request) -> web.Response:
    session = await require_session(request, page=True)
    desk, words = _desk(request), texts()
    if desk is None:
        return _unavailable(request, session, "service_not_configured")
    reference = request.match_info["reference"]
    try:
        dossier = await desk.dossier(session.officer, reference)
    except DeskNotFound:
        return _unavailable(request, session, "not_found", status=404)
    except (DeskUnavailable, DeskRejected):
        return _unavailable(request, session, "service_unavailable")
    try:
        extra = await desk.documents(session.officer, reference)
    except (DeskUnavailable, DeskRejected, DeskNotFound):
        extra = None
    hub, bo = services(request), _backoffice(request)
    await hub.audit.record(session.officer.id, "dossier_viewed", reference)
    book = load_field_book(bo.config.content_dir)
    conversation_id = dossier.get("conversation_id")
    colleagues = await officers_of_counter(hub, str(dossier.get("counter")))
    csrf = session.csrf
    content = render(
        "dossier.html", nav=render(NAV), reference=reference,
        type=book.type_title(str(dossier.get("type"))),
        municipality=(dossier.get("municipality") or {}).get("name"),
        counter=counter_name(bo.config.content_dir, str(dossier.get("tenant")),
                             str(dossier.get("counter"))),
        submitted=views.local_time(dossier.get("created_at")),
        status_label=views.status_label(words, dossier.get("status")),
        fields=views.field_rows(book, dossier),
        transitions=views.transitions(words, dossier, csrf),
        transcript=views.transcript(words, await _transcript(hub, conversation_id),
                                    bool(conversation_id)),
        assignee=views.assignee_text(words, dossier),
        assign_form=views.assign_form(words, dossier, colleagues, csrf,
                                      _current_assignee(dossier)),
        history=views.history(words, dossier.get("history") or [],
                              documents.answers_by_history((extra or {}).get("owner_answers")
                                                           or [])),
        attachments=documents.attachment_list(words, reference,
                                              (extra or {}).get("attachments") or [],
                                              views.local_time)
        if extra is not None else render("empty.html", text=words["service_unavailable"]),
        requested=documents.requested_list(
            words, documents.requested_for(bo.config.content_dir, str(dossier.get("type"))),
            None if extra is None else (extra.get("attachments") or [])),
        owner_mails=views.owner_mails(words, dossier.get("owner_mails") or []),
        notes=views.notes(words, dossier.get("internal_notes") or []), csrf=csrf)
    return _page(request, session, fill(words["detail_title"], reference=reference), content)


def _back(reference: str, notice: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/officer/dossiers/{reference}?notice={notice}")


async def _posted(request: web.Request) -> tuple[Session, Mapping[str, Any], DeskClient]:
    session = await require_session(request)
    form = await read_form(request)
    require_csrf(request, session, form)
    desk = _desk(request)
    if desk is None:
        raise web.HTTPServiceUnavailable(text=texts()["service_not_configured"])
    return session, form, desk


async def change_status(request: web.Request) -> web.Response:
    session, form, desk = await _posted(request)
    reference = request.match_info["reference"]
    status = str(form.get("status") or "")
    note = str(form.get("note") or "").strip()
    try:
        version = int(str(form.get("version") or ""))
    except ValueError:
        raise web.HTTPBadRequest() from None
    if status not in STATUSES:
        raise web.HTTPBadRequest()
    if len(note) > MAX_NOTE:
        raise _back(reference, "note_too_long")
    if status in views.NOTE_REQUIRED and not note:
        raise _back(reference, "note_required")
    audit = services(request).audit
    try:
        await desk.change_status(session.officer, reference, status, note or None, version)
    except DeskNotFound:
        raise web.HTTPNotFound(text=texts()["not_found"]) from None
    except DeskUnavailable:
        raise _back(reference, "unavailable") from None
    except DeskRejected as error:
        if error.code == "status_changed_concurrently":
            await audit.record(session.officer.id, "dossier_status_conflict",
                               f"{reference}: {status}")
            raise _back(reference, "conflict") from None
        raise _back(reference, "note_too_long" if error.code == "invalid_note"
                    else "not_allowed") from None
    await audit.record(session.officer.id, "dossier_status_changed", f"{reference}: {status}")
    raise _back(reference, "changed")


async def assign(request: web.Request) -> web.Response:
    session, form, desk = await _posted(request)
    reference = request.match_info["reference"]
    chosen = str(form.get("officer") or "")
    try:
        dossier = await desk.dossier(session.officer, reference)
        colleague = None
        if chosen:
            colleagues = await officers_of_counter(services(request), str(dossier["counter"]))
            colleague = next((o for o in colleagues if str(o.id) == chosen), None)
            if colleague is None:
                raise _back(reference, "not_a_colleague")
        await desk.assign(session.officer, reference, colleague)
    except DeskNotFound:
        raise web.HTTPNotFound(text=texts()["not_found"]) from None
    except (DeskUnavailable, DeskRejected):
        raise _back(reference, "unavailable") from None
    target = f"{reference} -> {colleague.id}" if colleague else f"{reference} -> -"
    await services(request).audit.record(session.officer.id, "dossier_assigned", target)
    raise _back(reference, "assigned" if colleague else "unassigned")


async def add_note(request: web.Request) -> web.Response:
    session, form, desk = await _posted(request)
    reference = request.match_info["reference"]
    text = str(form.get("text") or "").strip()
    if not text:
        raise _back(reference, "note_empty")
    if len(text) > MAX_INTERNAL_NOTE:
        raise _back(reference, "note_too_long")
    try:
        await desk.add_note(session.officer, reference, text)
    except DeskNotFound:
        raise web.HTTPNotFound(text=texts()["not_found"]) from None
    except (DeskUnavailable, DeskRejected):
        raise _back(reference, "unavailable") from None
    await services(request).audit.record(session.officer.id, "dossier_note_added", reference)
    raise _back(reference, "note_added")
