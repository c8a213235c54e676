"""`/officer/insights/review`: the questions the bot could not answer, grouped by word overlap
(`grouping.py`), for the municipalities of the officer's counters. An officer assigns a group
to a topic (its examples go to the reviewed training file, `reviewed_file.py`) or marks it
"geen onderwerp" (a new-topic proposal). Viewing and deciding are audited; a decision is a
POST with the session's CSRF token."""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import Mapping
from pathlib import Path
from string import Template

from aiohttp import web

from bot.handoff.officers import Session
from bot.handoff.web.auth import read_form, require_csrf, require_session
from bot.handoff.web.services import services
from bot.insights.api import API_KEY, InsightsApi
from bot.insights.figures import topic_titles
from bot.insights.grouping import Group, group_questions
from bot.insights.reviewed_file import add_examples
from bot.insights.unanswered import NO_TOPIC, ReviewScope, decide, open_questions, proposals

HERE = Path(__file__).parent / "templates"
EXAMPLES_SHOWN = 5
# Keys a form carries (64 hex characters each): 500 stay well under the web app's 64 KB body
# limit; a larger group keeps its other questions for a second decision.
MAX_KEYS = 500
NO_STORE = {"Cache-Control": "no-store"}


def _fragment(name: str, **values: object) -> str:
    """A template of templates/ with every value HTML-escaped (except *_html values)."""
    text = (HERE / name).read_text("utf-8")
    return Template(text).substitute({k: v if k.endswith("_html") else html.escape(str(v))
                                      for k, v in values.items()})


def retention_days(api: InsightsApi) -> int:
    """How long masked texts are kept: the shorter of INSIGHTS_TEXT_RETENTION_DAYS and the
    tenant's `retention_days.analytics_texts` (the purge job's), so the page never shows a
    text one of the two would already have removed."""
    tenant = api.scope.text_days.get(api.config.tenant, api.config.text_retention_days)
    return min(api.config.text_retention_days, tenant)


def review_scope(api: InsightsApi, session: Session, now: float) -> ReviewScope:
    counters = session.officer.counters
    return ReviewScope(api.scope.municipalities(counters), api.scope.sees_unplaced(counters),
                       now - retention_days(api) * 86400)


def _shown(conversations: int, min_count: int) -> str:
    return str(conversations) if conversations >= min_count else f"< {min_count}"


def _group_html(group: Group, index: int, titles: Mapping[str, str], csrf: str,
                min_count: int) -> str:
    options = "\n".join(f'<option value="{html.escape(t)}">{html.escape(title)}</option>'
                        for t, title in titles.items())
    keys = "\n".join(f'<input type="hidden" name="turn" value="{html.escape(q.key)}">'
                     for q in group.questions[:MAX_KEYS])
    examples = "\n".join(f"<li>{html.escape(text)}</li>"
                         for text in group.examples(EXAMPLES_SHOWN))
    return _fragment(
        "review_group.html", index=index,
        conversations=_shown(group.conversations, min_count),
        questions=len(group.questions) if group.conversations >= min_count else f"< {min_count}",
        words=", ".join(group.shared_words()) or "–", examples_html=examples,
        options_html=options, keys_html=keys, csrf=csrf)


async def review_page(request: web.Request) -> web.Response:
    session = await require_session(request, page=True)
    api = request.app[API_KEY]
    scope = review_scope(api, session, time.time())
    async with api.db.transaction() as tx:
        questions = await open_questions(tx, scope)
        proposed = await proposals(tx, scope)
    groups = await asyncio.to_thread(group_questions, questions)  # ~0.7 s for 2,000: off the loop
    proposal_html = "\n".join(
        _fragment("review_proposal.html", conversations=_shown(g.conversations,
                                                               api.config.min_count),
                  words=", ".join(g.shared_words()) or "–",
                  examples_html="\n".join(f"<li>{html.escape(t)}</li>"
                                           for t in g.examples(EXAMPLES_SHOWN)))
        for g in group_questions(proposed))
    titles = await asyncio.to_thread(topic_titles, api)
    await services(request).audit.record(session.officer.id, "insights_review_viewed", None)
    body = "\n".join(_group_html(group, n, titles, session.csrf, api.config.min_count)
                     for n, group in enumerate(groups, 1))
    notice = ""
    if request.query.get("done", "").isdigit():
        topic = request.query.get("topic", "")
        notice = _fragment(
            "review_notice_none.html" if topic == NO_TOPIC else "review_notice_topic.html",
            done=request.query["done"], added=request.query.get("added", "0"),
            topic=titles.get(topic, topic))
    page = _fragment("review.html", officer=session.officer.display_name,
                     counters=", ".join(session.officer.counters), groups_html=body,
                     empty_html="" if groups else _fragment("review_empty.html"),
                     notice_html=notice, days=retention_days(api),
                     proposals_html=proposal_html or _fragment("review_no_proposals.html"),
                     min_count=api.config.min_count, group_count=len(groups))
    return web.Response(text=page, content_type="text/html", headers=NO_STORE)


async def review_decide(request: web.Request) -> web.Response:
    session = await require_session(request)
    form = await read_form(request)
    require_csrf(request, session, form)
    api = request.app[API_KEY]
    action = str(form.get("action") or "")
    keys = [str(k) for k in form.getall("turn", [])][:MAX_KEYS]
    topic: str | None = None
    if action == "topic":
        topic = str(form.get("topic") or "")
        titles = await asyncio.to_thread(topic_titles, api)
        if topic not in titles:
            raise web.HTTPBadRequest(text="unknown topic")
    elif action != NO_TOPIC:
        raise web.HTTPBadRequest(text="action must be topic or none")
    now = time.time()
    scope = review_scope(api, session, now)
    added: list[str] = []
    async with api.file_lock, api.db.transaction() as tx:
        decided = await decide(tx, scope, keys, decision="topic" if topic else NO_TOPIC,
                               topic=topic, officer_id=session.officer.id, now=now)
        if topic and decided:
            # Inside the transaction: when the file cannot be written, nothing is marked done.
            added = await asyncio.to_thread(
                add_examples, api.config.reviewed_file, api.config.training_dir,
                f"ask_{topic}", [q.text for q in decided])
    await services(request).audit.record(
        session.officer.id, "insights_review_topic" if topic else "insights_review_none",
        f"{topic or NO_TOPIC}: {len(decided)} questions, {len(added)} examples")
    location = request.app.router["insights_review"].url_for().with_query(
        {"done": str(len(decided)), "topic": topic or NO_TOPIC, "added": str(len(added))})
    raise web.HTTPSeeOther(str(location))


def setup_review_routes(app: web.Application) -> None:
    app.router.add_get("/officer/insights/review", review_page, name="insights_review")
    app.router.add_post("/officer/insights/review", review_decide)
