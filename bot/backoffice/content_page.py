"""The console's content page (/officer/content): every knowledge topic with its last review
and whether it is past the tenant's review interval (bot/content_review.py), so officers see
which answers to compare with their sources next. Read-only; viewing it is audited."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from aiohttp import web

from bot.backoffice.render import Safe, join, render, texts
from bot.catalog import Catalog
from bot.content_review import ReviewStatus, review_statuses
from bot.counters import load_tenant
from bot.handoff.web.auth import require_session
from bot.handoff.web.pages import page
from bot.handoff.web.services import fill, services
from bot.validators import today_in_brussels


@dataclass(frozen=True)
class ContentSource:
    content_dir: Path
    tenant: str


CONTENT_KEY = web.AppKey("content_source", ContentSource)


def _load(source: ContentSource, today: date) -> tuple[list[ReviewStatus], int]:
    catalog = Catalog.load(source.content_dir / "topics")
    topics = [t for t in (catalog.get(i) for i in catalog.ids()) if t is not None]
    tenant = load_tenant(source.content_dir / "tenants" / f"{source.tenant}.yml")
    return review_statuses(topics, today, tenant.review_interval_months), \
        tenant.review_interval_months


def _row(words: dict[str, str], status: ReviewStatus) -> Safe:
    return render(
        "content_row.html", row_class="row--overdue" if status.overdue else "",
        title=status.title, topic_id=status.topic_id,
        reviewed=status.last_reviewed or words["content_never"], by=status.reviewed_by or "—",
        due=status.due_on.isoformat() if status.due_on else words["content_due_now"],
        state=words["content_overdue"] if status.overdue else words["content_current"])


async def content_page(request: web.Request) -> web.Response:
    session = await require_session(request, page=True)
    words = texts()
    statuses, months = await asyncio.to_thread(_load, request.app[CONTENT_KEY], today_in_brussels())
    hub = services(request)
    await hub.audit.record(session.officer.id, "content_reviews_viewed", None)
    overdue = sum(status.overdue for status in statuses)
    content = render(
        "content.html", nav=render("content_nav.html"), heading=words["content_heading"],
        intro=words["content_intro"],
        summary=fill(words["content_summary"], overdue=overdue, total=len(statuses),
                     months=months),
        th_topic=words["content_th_topic"], th_reviewed=words["content_th_reviewed"],
        th_by=words["content_th_by"], th_due=words["content_th_due"],
        th_state=words["content_th_state"],
        rows=join([_row(words, status) for status in statuses]))
    return page(hub.texts(), title=words["content_title"], content=content, session=session,
                page_name="content")


def setup_content_page(app: web.Application, content_dir: Path, tenant: str) -> None:
    app[CONTENT_KEY] = ContentSource(content_dir, tenant)
    app.router.add_get("/officer/content", content_page)
