"""The console's page frame: title, account bar, notice and content."""

from __future__ import annotations

from aiohttp import web

from bot.handoff.officers import Session
from bot.handoff.web.render import Safe, render


def account_bar(texts: dict[str, str], session: Session | None) -> Safe:
    if session is None:
        return Safe("")
    return render("account.html", signed_in_as=texts["signed_in_as"],
                  officer=session.officer.display_name, counters_label=texts["counters_label"],
                  counters=", ".join(session.officer.counters), csrf=session.csrf,
                  logout=texts["logout"])


def page(texts: dict[str, str], *, title: str, content: Safe, session: Session | None = None,
         status: int = 200, notice: str | None = None, notice_kind: str = "info",
         page_name: str = "login", request_id: int | str = "") -> web.Response:
    notice_html = render("notice.html", kind=notice_kind, text=notice) if notice else Safe("")
    body = render("layout.html", title=title, page=page_name, request_id=request_id,
                  console_name=texts["console_name"], account=account_bar(texts, session),
                  notice=notice_html, content=content)
    response = web.Response(text=body, content_type="text/html", status=status)
    response.headers["Cache-Control"] = "no-store"
    return response
