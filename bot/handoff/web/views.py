"""Rendering of the queue, the call-backs and a conversation (escaped HTML fragments)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.handoff.models import HandoffRequest
from bot.handoff.transcript import Line, Transcript
from bot.handoff.web.render import Safe, join, render
from bot.handoff.web.services import fill

BRUSSELS = ZoneInfo("Europe/Brussels")


def clock_time(at: float | None, with_date: bool = False) -> str:
    if at is None:
        return ""
    moment = datetime.fromtimestamp(at, tz=BRUSSELS)
    return moment.strftime("%d/%m/%Y %H:%M" if with_date else "%H:%M")


def waiting(texts: dict[str, str], since: float, now: float) -> str:
    minutes = int(max(0.0, now - since) // 60)
    return fill(texts["waiting_minutes"], minutes=minutes) if minutes else texts["waiting_just_now"]


def status_label(texts: dict[str, str], request: HandoffRequest) -> str:
    return fill(texts[f"status_{request.status}"], officer=request.taken_by_name or "")


def action_form(texts: dict[str, str], request: HandoffRequest, action: str, csrf: str,
                label_key: str, style: str = "") -> Safe:
    return render("action_form.html", id=request.id, action=action, csrf=csrf,
                  label=texts[label_key], style=style)


def _table(texts: dict[str, str], columns: Sequence[str], rows: list[Safe], empty: str) -> Safe:
    if not rows:
        return render("empty.html", text=texts[empty])
    head = join([render("th.html", label=texts[column]) for column in columns])
    return render("table.html", head=head, rows=join(rows))


def _live_row(texts: dict[str, str], request: HandoffRequest, csrf: str, now: float) -> Safe:
    if request.status == "queued":
        action = action_form(texts, request, "take", csrf, "action_take")
    else:
        action = render("link_button.html", id=request.id, label=texts["action_open"])
    return render("queue_row.html", id=request.id, reference=request.reference,
                  status=request.status, waiting=waiting(texts, request.created_at, now),
                  counter=request.counter_name, municipality=request.municipality or
                  texts["unknown"], topic=request.topic_title or texts["unknown"],
                  summary=request.summary, status_label=status_label(texts, request),
                  action=action)


def contact_text(texts: dict[str, str], request: HandoffRequest) -> str:
    if not request.contact:
        return texts["no_contact"]
    return f"{texts.get('contact_' + (request.contact_kind or ''), '')}: {request.contact}"


def _callback_row(texts: dict[str, str], request: HandoffRequest, csrf: str) -> Safe:
    action = (action_form(texts, request, "close", csrf, "action_callback_done")
              if request.status == "callback" else Safe(""))
    return render("callback_row.html", id=request.id, reference=request.reference,
                  status=request.status, created=clock_time(request.created_at, True),
                  counter=request.counter_name,
                  municipality=request.municipality or texts["unknown"],
                  topic=request.topic_title or texts["unknown"], summary=request.summary,
                  contact=contact_text(texts, request),
                  status_label=status_label(texts, request), action=action)


LIVE_COLUMNS = ("col_reference", "col_waiting", "col_counter", "col_municipality", "col_topic",
                "col_summary", "col_status", "col_action")
CALLBACK_COLUMNS = ("col_reference", "col_created", "col_counter", "col_municipality",
                    "col_topic", "col_summary", "col_contact", "col_status", "col_action")


def queue_fragment(texts: dict[str, str], csrf: str, now: float,
                   live: list[HandoffRequest], callbacks: list[HandoffRequest]) -> Safe:
    live_rows = [_live_row(texts, r, csrf, now) for r in live]
    callback_rows = [_callback_row(texts, r, csrf) for r in callbacks]
    return render("queue_fragment.html", live_heading=texts["live_heading"],
                  callback_heading=texts["callback_heading"],
                  live_table=_table(texts, LIVE_COLUMNS, live_rows, "live_empty"),
                  callback_table=_table(texts, CALLBACK_COLUMNS, callback_rows,
                                        "callback_empty"))


def _who(texts: dict[str, str], line: Line) -> str:
    if line.author == "officer":
        return fill(texts["who_officer"], officer=line.officer or "")
    return texts["who_owner" if line.author == "owner" else "who_bot"]


def transcript_fragment(texts: dict[str, str], transcript: Transcript | None) -> Safe:
    if transcript is None:
        return render("transcript_fragment.html", status=texts["transcript_unavailable"],
                      lines=Safe(""))
    lines = []
    for line in transcript.lines:
        text = fill(texts["button_payload"], intent=line.intent) if line.intent else line.text
        lines.append(render("transcript_line.html", author=line.author, who=_who(texts, line),
                            at=clock_time(line.at), text=text))
    status = texts["transcript_paused" if transcript.paused else "transcript_active"]
    return render("transcript_fragment.html", status=status, lines=join(lines))


def details(texts: dict[str, str], request: HandoffRequest) -> Safe:
    rows = [("detail_reference", request.reference),
            ("detail_status", status_label(texts, request)),
            ("detail_counter", request.counter_name),
            ("detail_municipality", request.municipality or texts["unknown"]),
            ("detail_topic", request.topic_title or texts["unknown"]),
            ("detail_created", clock_time(request.created_at, True))]
    if request.kind == "callback":
        rows.append(("detail_contact", contact_text(texts, request)))
    return join([render("detail.html", label=texts[key], value=value) for key, value in rows])


def slots(texts: dict[str, str], transcript: Transcript | None) -> Safe:
    if transcript is None or not transcript.slots:
        return render("detail.html", label="", value=texts["slots_empty"])
    return join([render("detail.html", label=name, value=value)
                 for name, value in transcript.slots])
