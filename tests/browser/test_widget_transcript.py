"""The widget's transcript after a reload comes from the server's tracker, not only from the
browser's copy (real chromium on the demo page against the whole assistant; the fixtures of
tests/browser/test_widget.py)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_widget import (  # noqa: F401  (fixtures)
    STORE_KEY,
    TERRAS,
    WAIT,
    ask,
    browser,
    open_demo,
    page,
    problems,
    session_id,
)
from tests.e2e.handoff_stack import Stack

pytestmark = pytest.mark.browser


def test_a_reload_shows_the_servers_transcript_even_when_the_browser_lost_its_copy(
        stack: Stack, page: Page, problems: list[str]) -> None:  # noqa: F811
    open_demo(page, stack)
    page.locator(".launcher").click()
    ask(page, TERRAS)
    answer = page.locator(".msg--bot[data-topic=terrasvergunning]").first
    expect(answer).to_be_visible(timeout=WAIT)
    expect(page.locator(".typing")).to_be_hidden(timeout=WAIT)
    conversation = session_id(page)
    # The browser keeps only the conversation id (its copy of the messages is gone).
    saved = json.loads(page.evaluate(f"sessionStorage.getItem('{STORE_KEY}')"))
    saved["items"] = []
    page.evaluate(f"sessionStorage.setItem('{STORE_KEY}', {json.dumps(json.dumps(saved))})")
    with page.expect_response("**/api/widget/history") as restored:
        page.reload()
    assert restored.value.status == 200
    expect(page.locator(".msg--user")).to_contain_text(TERRAS, timeout=WAIT)
    restored_answer = page.locator(".msg--bot[data-topic=terrasvergunning]").first
    expect(restored_answer).to_be_visible()
    expect(restored_answer.locator(".msg__vote--up")).to_be_visible()  # thumbs on the answer
    assert session_id(page) == conversation
    assert problems == []
