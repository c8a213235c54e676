"""What owners see in a real browser (chromium) on the web app, without Rasa: the widget on a
municipality's page links to the full privacy text (/privacy of our own origin, not the host
page's) and the link opens it; the chat page tells an owner who sends too many messages, in
Dutch, to wait (a 429 of bot/web/public_limits.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, expect, sync_playwright

from tests.bot.dossier_fixtures import free_port
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path  # noqa: F401
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
TEXTS = yaml.safe_load((ROOT / "content" / "widget.yml").read_text(encoding="utf-8"))["widget"]
WEB_TEXTS = yaml.safe_load((ROOT / "content" / "web.yml").read_text(encoding="utf-8"))
CONVERSATION_LIMIT = 2  # messages a minute per conversation, for the chat page test


@pytest.fixture(scope="module")
def web_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    state: Path = tmp_path_factory.mktemp("web")
    port = free_port()
    env = {**os.environ, "HANDOFF_DB": str(state / "handoff.sqlite3"),
           "FEEDBACK_DB": str(state / "feedback.sqlite3"),
           "INSIGHTS_DB_URL": f"sqlite:///{state / 'insights.sqlite3'}",
           "INSIGHTS_EVENTS_DB": str(state / "events.sqlite3"),
           "PURGE_INTERVAL_SECONDS": "off", "RASA_URL": f"http://127.0.0.1:{free_port()}",
           "CHAT_CONVERSATION_RATE_LIMIT": f"{CONVERSATION_LIMIT}/60"}
    for name in ("PROFILE", "TRACKER_DB_URL", "REDIS_URL", "RATE_LIMITS", "CHAT_RATE_LIMIT"):
        env.pop(name, None)
    with (state / "web.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.web", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (state / "web.log").read_text()
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the web app did not start"
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:  # noqa: F811
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_the_widget_links_to_the_privacy_page(web_url: str, browser: Browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{web_url}/demo?municipality=Aalst")
        page.locator(".launcher").click()
        line = page.locator(".panel__privacy")
        expect(line).to_contain_text(TEXTS["privacy_notice"])
        privacy = line.get_by_role("link", name=TEXTS["privacy_link"])
        expect(privacy).to_have_attribute("href", f"{web_url}/privacy")
        with context.expect_page() as opened:
            privacy.click()
        shown = opened.value
        shown.wait_for_load_state()
        assert shown.url == f"{web_url}/privacy"
        expect(shown.locator("main")).to_contain_text("gegevens")
    finally:
        context.close()


def test_the_chat_page_tells_an_owner_who_sends_too_much_to_wait(web_url: str,
                                                                 browser: Browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{web_url}/")
        field = page.locator("input[type=text], textarea").first
        for n in range(CONVERSATION_LIMIT + 2):  # the first one creates the conversation
            field.fill(f"vraag {n}")
            field.press("Enter")
            page.wait_for_timeout(300)
        expect(page.locator("body")).to_contain_text(WEB_TEXTS["rate_limited"])
    finally:
        context.close()
