"""Rendering of the dossier list and one dossier (escaped HTML fragments)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bot.backoffice.fields import FieldBook
from bot.backoffice.render import Safe, join, render
from bot.dossiers.models import CLOSED, NEEDS_INFO, REFUSED, STATUSES
from bot.handoff.models import Officer
from bot.handoff.transcript import Transcript
from bot.handoff.web.services import fill

BRUSSELS = ZoneInfo("Europe/Brussels")
OPEN_STATUSES = frozenset({"received", "in_behandeling", NEEDS_INFO})
NOTE_REQUIRED = frozenset({NEEDS_INFO, REFUSED})
TRANSITION_ORDER = ("in_behandeling", NEEDS_INFO, "goedgekeurd", REFUSED, CLOSED)
Texts = Mapping[str, str]


def parse_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def local_time(value: Any) -> str:
    moment = parse_time(value)
    return moment.astimezone(BRUSSELS).strftime("%d/%m/%Y %H:%M") if moment else ""


def waited(texts: Texts, dossier: Mapping[str, Any], now: datetime) -> str:
    """How long an open dossier has waited since it was submitted; for a decided one, how long
    it took (submission to the last status change)."""
    start = parse_time(dossier.get("created_at"))
    end = now if dossier.get("status") in OPEN_STATUSES else parse_time(dossier.get("updated_at"))
    if start is None or end is None:
        return ""
    minutes = int(max(0.0, (end - start).total_seconds()) // 60)
    if minutes < 1:
        return texts["waited_just_now"]
    if minutes < 60:
        return fill(texts["waited_minutes"], minutes=minutes)
    if minutes < 24 * 60:
        return fill(texts["waited_hours"], hours=minutes // 60)
    days = minutes // (24 * 60)
    return texts["waited_day"] if days == 1 else fill(texts["waited_days"], days=days)


def status_label(texts: Texts, status: Any) -> str:
    return texts.get(f"status_{status}", str(status))


def options(pairs: Sequence[tuple[str, str]], selected: str) -> Safe:
    return join([render("option.html", value=value, label=label,
                        selected=Safe(" selected") if value == selected else Safe(""))
                 for value, label in pairs])


def _href(filters: Mapping[str, str], **changes: str) -> str:
    params = {k: v for k, v in {**filters, **changes}.items() if v}
    return "/officer/dossiers" + ("?" + urlencode(params) if params else "")


def counts(texts: Texts, filters: Mapping[str, str], found: Mapping[str, Any]) -> Safe:
    items = []
    for status in STATUSES:
        items.append(render("count.html", status=status, label=status_label(texts, status),
                            count=int(found.get(status) or 0),
                            href=_href(filters, status=status, offset="")))
    return join(items)


def dossier_row(texts: Texts, book: FieldBook, dossier: Mapping[str, Any], now: datetime) -> Safe:
    assignee = dossier.get("assignee") or {}
    return render("dossier_row.html", reference=dossier.get("reference"),
                  status=dossier.get("status"), type=book.type_title(str(dossier.get("type"))),
                  municipality=(dossier.get("municipality") or {}).get("name"),
                  applicant=(dossier.get("applicant") or {}).get("name"),
                  submitted=local_time(dossier.get("created_at")),
                  status_label=status_label(texts, dossier.get("status")),
                  waited=waited(texts, dossier, now), assignee=assignee.get("name") or "")


def table(texts: Texts, book: FieldBook, dossiers: Sequence[Mapping[str, Any]],
          now: datetime) -> Safe:
    if not dossiers:
        return render("empty.html", text=texts["list_empty"])
    return render("dossier_table.html",
                  rows=join([dossier_row(texts, book, d, now) for d in dossiers]))


def total_text(texts: Texts, total: int, offset: int, shown: int) -> str:
    if total == 1:
        return texts["total_one"]
    if shown < total:
        return fill(texts["total_page"], total=total, first=offset + 1 if shown else 0,
                    last=offset + shown)
    return fill(texts["total_many"], total=total)


def pager(filters: Mapping[str, str], total: int, offset: int, page_size: int) -> Safe:
    previous = next_link = Safe("")
    if offset > 0:
        previous = render("pager_link.html", label="← Vorige",
                          href=_href(filters, offset=str(max(0, offset - page_size))))
    if offset + page_size < total:
        next_link = render("pager_link.html", label="Volgende →",
                           href=_href(filters, offset=str(offset + page_size)))
    return render("pager.html", previous=previous, next=next_link) if offset or \
        offset + page_size < total else Safe("")


def field_rows(book: FieldBook, dossier: Mapping[str, Any]) -> Safe:
    return join([render("detail.html", label=label, value=value)
                 for label, value in book.rows(dossier)])


def transitions(texts: Texts, dossier: Mapping[str, Any], csrf: str) -> Safe:
    allowed = set(dossier.get("allowed_transitions") or ())
    forms = []
    for status in TRANSITION_ORDER:
        if status not in allowed:
            continue
        required = status in NOTE_REQUIRED
        forms.append(render("transition_form.html", reference=dossier.get("reference"),
                            csrf=csrf, status=status, version=dossier.get("version"),
                            label=texts[f"to_{status}"],
                            note_label=texts[f"note_label_{status}"],
                            required=Safe(" required") if required else Safe("")))
    return join(forms) if forms else render("empty.html", text=texts["no_transitions"])


def _who(texts: Texts, actor: Any, name: Any) -> str:
    if name:
        return str(name)
    if actor == "service":
        return texts["actor_service"]
    if actor == "owner":
        return texts["actor_owner"]
    return str(actor or texts["actor_unknown"])


def history(texts: Texts, changes: Sequence[Mapping[str, Any]],
            answers: Mapping[int, str] | None = None) -> Safe:
    """Status changes, oldest first; a change the owner made by answering shows the answer."""
    items = []
    for change in changes:
        if change.get("from") is None:
            what = texts["history_submitted"]
        else:
            what = fill(texts["history_change"], **{"from": status_label(texts, change["from"]),
                                                    "to": status_label(texts, change.get("to"))})
        note = change.get("note")
        answer = (answers or {}).get(int(change.get("seq") or 0))
        shown = render("history_note.html", text=note) if note else Safe("")
        if answer:
            shown = render("history_answer.html", text=answer)
        items.append(render("history_item.html", what=what, at=local_time(change.get("at")),
                            who=_who(texts, change.get("actor"), change.get("actor_name")),
                            note=shown))
    return join(items)


def notes(texts: Texts, entries: Sequence[Mapping[str, Any]]) -> Safe:
    if not entries:
        return render("empty.html", text=texts["notes_empty"])
    return join([render("history_item.html", what="", at=local_time(n.get("at")),
                        who=_who(texts, n.get("author"), n.get("author_name")),
                        note=render("history_note.html", text=n.get("text")))
                 for n in entries])


def owner_mails(texts: Texts, mails: Sequence[Mapping[str, Any]]) -> Safe:
    """Whether the owner was told: each e-mail of the dossier and how far it got."""
    if not mails:
        return render("empty.html", text=texts["mails_empty"])
    items = []
    for mail in mails:
        if mail.get("sent_at"):
            state = fill(texts["mail_sent"], at=local_time(mail["sent_at"]))
        elif mail.get("failed_at"):
            state = fill(texts["mail_failed"], at=local_time(mail["failed_at"]))
        elif int(mail.get("attempts") or 0) > 0:
            state = fill(texts["mail_retrying"], attempts=int(mail["attempts"]))
        else:
            state = texts["mail_waiting"]
        items.append(render("history_item.html", what=mail.get("subject"),
                            at=local_time(mail.get("queued_at")), who=state, note=Safe("")))
    return join(items)


def assignee_text(texts: Texts, dossier: Mapping[str, Any]) -> str:
    assignee = dossier.get("assignee") or {}
    if not assignee.get("id"):
        return texts["not_assigned"]
    return fill(texts["assigned_to"], officer=assignee.get("name") or assignee["id"])


def assign_form(texts: Texts, dossier: Mapping[str, Any], colleagues: Sequence[Officer],
                csrf: str, current: str) -> Safe:
    pairs = [("", texts["nobody"])] + [(str(o.id), o.display_name) for o in colleagues]
    return render("assign_form.html", reference=dossier.get("reference"), csrf=csrf,
                  options=options(pairs, current))


def _who_line(texts: Texts, author: str, officer: str | None) -> str:
    if author == "officer":
        return fill(texts["who_officer"], officer=officer or "")
    return texts["who_owner" if author == "owner" else "who_bot"]


def transcript(texts: Texts, conversation: Transcript | None, has_conversation: bool) -> Safe:
    if not has_conversation:
        return render("empty.html", text=texts["no_conversation"])
    if conversation is None:
        return render("empty.html", text=texts["transcript_unavailable"])
    if not conversation.lines:
        return render("empty.html", text=texts["transcript_empty"])
    lines = []
    for line in conversation.lines:
        text = fill(texts["button_payload"], intent=line.intent) if line.intent else line.text
        at = datetime.fromtimestamp(line.at, tz=BRUSSELS).strftime("%d/%m/%Y %H:%M") \
            if line.at is not None else ""
        lines.append(render("transcript_line.html", author=line.author,
                            who=_who_line(texts, line.author, line.officer), at=at, text=text))
    return render("transcript.html", status="", lines=join(lines))
