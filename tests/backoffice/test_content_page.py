"""The console's content page: topics due for review come first, for logged-in officers only,
and the rule is the one `make content-report` uses."""

from __future__ import annotations

import re
from datetime import date

from bot.catalog import Catalog
from bot.content_review import review_statuses
from tests.conftest import ROOT


async def test_an_officer_sees_the_topics_due_for_review_first(stack):
    await stack.login("sofie")
    response = await stack.web.get("/officer/content")
    assert response.status == 200
    html = await response.text()
    assert "Inhoud nakijken" in html
    states = re.findall(r"<td>(Na te kijken|In orde)</td></tr>", html)
    assert states and states == sorted(states, key=lambda s: s != "Na te kijken")
    catalog = Catalog.load(ROOT / "content" / "topics")
    assert len(states) == len(catalog.ids())
    assert ("content_reviews_viewed", None) in await stack.audit()


async def test_the_page_needs_a_login(stack):
    response = await stack.web.get("/officer/content", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/officer/login"


def test_review_rule_never_reviewed_and_past_the_interval_are_due():
    catalog = Catalog.load(ROOT / "content" / "topics")
    topics = [t for t in (catalog.get(i) for i in catalog.ids()) if t is not None]
    far_future = review_statuses(topics, date(2099, 1, 1), 6)
    assert all(status.overdue for status in far_future)  # everything ages
    today = review_statuses(topics, date(2026, 12, 1), 6)
    never = [s for s in today if s.last_reviewed is None]
    assert all(s.overdue and s.due_on is None for s in never)
    reviewed_now = [s for s in today if s.last_reviewed == "2026-12-01"]
    assert reviewed_now and not any(s.overdue for s in reviewed_now)
