"""The owner's documents and answers on an officer's dossier page, and their download.

Downloads go through the console (session, counters, audit): the browser never talks to the
dossier service. They are always served as attachments with one of three content types and a
sandboxing policy, so a document cannot run as a page of the console."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.backoffice.client import DeskNotFound, DeskRejected, DeskUnavailable
from bot.backoffice.render import Safe, join, render, texts
from bot.backoffice.state import BACKOFFICE_KEY
from bot.catalog import ContentError
from bot.dossiers.requested_documents import RequestedDocument, load_requested_documents
from bot.handoff.web.auth import require_session
from bot.handoff.web.services import fill, services

logger = logging.getLogger(__name__)
SAFE_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
ATTACHMENT_ROUTE = r"{attachment:[A-Za-z0-9_-]{8,40}}"
_NAME = re.compile(r"[^A-Za-z0-9 ._()-]+")


def size_text(words: Mapping[str, str], size: int) -> str:
    if size < 1024 * 1024:
        return fill(words["size_kb"], kb=max(1, round(size / 1024)))
    return fill(words["size_mb"], mb=f"{size / (1024 * 1024):.1f}".replace(".", ","))


def attachment_list(words: Mapping[str, str], reference: str,
                    attachments: Sequence[Mapping[str, Any]], local_time: Any) -> Safe:
    if not attachments:
        return render("empty.html", text=words["documents_empty"])
    items = [render("attachment_item.html", reference=reference, id=a.get("id"),
                    filename=a.get("filename"), at=local_time(a.get("at")),
                    size=size_text(words, int(a.get("size") or 0)),
                    who=words["document_by_owner"] if a.get("uploaded_by") == "owner"
                    else str(a.get("uploaded_by") or ""))
             for a in attachments]
    return render("attachment_list.html", items=join(items))


def answers_by_history(answers: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    """The owner's answers keyed by the status change they made."""
    return {int(a["history_seq"]): str(a.get("text") or "") for a in answers
            if a.get("history_seq") is not None}


def download_name(filename: str, content_type: str) -> str:
    stem = _NAME.sub("_", filename.rsplit(".", 1)[0])[:100].strip(" ._") or "document"
    return f"{stem}.{SAFE_TYPES.get(content_type, 'bin')}"


async def download(request: web.Request) -> web.Response:
    session = await require_session(request, page=True)
    desk = request.app[BACKOFFICE_KEY].desk
    if desk is None:
        raise web.HTTPServiceUnavailable(text=texts()["service_not_configured"])
    reference, attachment = request.match_info["reference"], request.match_info["attachment"]
    try:
        listed = await desk.documents(session.officer, reference)
        found = next((a for a in listed.get("attachments") or ()
                      if a.get("id") == attachment), None)
        if found is None:
            raise DeskNotFound(attachment)
        body, content_type = await desk.download(session.officer, reference, attachment)
    except DeskNotFound:
        raise web.HTTPNotFound(text=texts()["document_not_found"]) from None
    except (DeskUnavailable, DeskRejected):
        raise web.HTTPServiceUnavailable(text=texts()["service_unavailable"]) from None
    safe_type = content_type if content_type in SAFE_TYPES else "application/octet-stream"
    name = download_name(str(found.get("filename") or ""), safe_type)
    await services(request).audit.record(session.officer.id, "dossier_document_downloaded",
                                         f"{reference}: {name}")
    return web.Response(body=body, headers={
        "Content-Type": safe_type,
        "Content-Disposition": f"attachment; filename=\"{name}\"; "
                               f"filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "no-store"})


def requested_for(content_dir: Path, dossier_type: str) -> tuple[RequestedDocument, ...]:
    try:
        return load_requested_documents(content_dir / "requested_documents.yml") \
            .for_type(dossier_type)
    except ContentError as error:  # the page still shows everything else
        logger.error("requested documents: %s", error)
        return ()


def requested_list(words: Mapping[str, str], requested: Sequence[RequestedDocument],
                   attachments: Sequence[Mapping[str, Any]] | None) -> Safe:
    """What the dossier type asks for, required ones first: per document "ontvangen" with the
    file names of the uploads assigned to it, or "ontbreekt nog" (required) / "niet toegevoegd";
    then the uploads not assigned to a requested document. None: the uploads are unknown."""
    if not requested:
        return render("empty.html", text=words["requested_none"])
    if attachments is None:
        return render("empty.html", text=words["service_unavailable"])
    ids = {document.id for document in requested}
    names: dict[str, list[str]] = {}
    unassigned = []
    for attachment in attachments:
        key = attachment.get("requested_key")
        if isinstance(key, str) and key in ids:
            names.setdefault(key, []).append(str(attachment.get("filename") or ""))
        else:
            unassigned.append(attachment)
    items, missing = [], 0
    for document in requested:
        if document.id in names:
            state, state_text = "received", fill(words["requested_received"],
                                                 filenames=", ".join(names[document.id]))
        else:
            state = "missing" if document.required else "absent"
            state_text = words[f"requested_{state}"]
            missing += document.required
        items.append(render(
            "requested_item.html", label=document.label, hint=document.hint, state=state,
            need=words["requested_required" if document.required else "requested_optional"],
            state_text=state_text))
    items.extend(render("requested_unassigned.html", filename=a.get("filename"),
                        state_text=words["requested_unassigned"],
                        hint=words["requested_unassigned_hint"]) for a in unassigned)
    return render("requested_list.html", summary=_summary(words, requested, missing,
                                                          len(unassigned)),
                  items=join(items))


def _summary(words: Mapping[str, str], requested: Sequence[RequestedDocument], missing: int,
             unassigned: int) -> str:
    if not any(document.required for document in requested):
        summary = words["requested_summary_optional"]
    elif not missing:
        summary = words["requested_summary_complete"]
    elif missing == 1:
        summary = words["requested_summary_missing_one"]
    else:
        summary = fill(words["requested_summary_missing"], missing=missing)
    if unassigned and missing:
        summary += " " + (words["requested_summary_unassigned_one"] if unassigned == 1 else
                          fill(words["requested_summary_unassigned"], count=unassigned))
    return summary
