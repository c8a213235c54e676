"""The unanswered-question review in real Chromium (Playwright): an officer opens it from the
insights page, assigns the group of sunshade questions to a topic, and the reviewed training
file gets those questions as examples of the topic's intent."""

from __future__ import annotations

import asyncio
import time

import pytest
import yaml
from aiohttp.test_utils import TestServer

from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.handoff.conftest import PASSWORD
from tests.bot.handoff.web_helpers import SERVICE_TOKEN
from tests.insights.test_dashboard_browser import ARGS, CHROMIUM, require_browser_and_chartjs
from tests.insights.test_review import SUNSHADE, seed
from tests.web.test_chat import FakeRasa as FakeChat

pytestmark = pytest.mark.browser


async def test_an_officer_assigns_a_group_of_unanswered_questions_to_a_topic(
        monkeypatch, tmp_path):
    require_browser_and_chartjs()
    from playwright.async_api import async_playwright

    reviewed = tmp_path / "data" / "nlu" / "reviewed.yml"
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", SERVICE_TOKEN)
    monkeypatch.setenv("INSIGHTS_DB_URL", f"sqlite:///{tmp_path / 'insights.sqlite3'}")
    monkeypatch.setenv("INSIGHTS_REVIEWED_FILE", str(reviewed))
    monkeypatch.setenv("INSIGHTS", "off")
    monkeypatch.setenv("INSIGHTS_MIN_COUNT", "2")
    server = TestServer(create_app(WebConfig(), rasa=FakeChat()))  # type: ignore[arg-type]
    await server.start_server()
    try:
        await seed(server.app, time.time())
        from bot.handoff.web.services import HOLDER_KEY

        hub = server.app[HOLDER_KEY].services
        assert hub is not None
        await hub.officers.create("sofie", PASSWORD, ["aalst"], display_name="Sofie")
        base = str(server.make_url("")).rstrip("/")
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = await browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error"
                    and "Failed to load resource" not in m.text else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            await page.goto(f"{base}/officer/insights")
            await page.fill("input[name=name]", "sofie")
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            await page.goto(f"{base}/officer/insights")
            await page.click("text=Onbeantwoorde vragen nakijken")
            await page.wait_for_selector("section.group")
            assert await page.locator("#group-count").inner_text() == "2"
            group = page.locator("section.group", has_text="zonnescherm")
            assert await group.locator(".conversations").inner_text() == "4"
            await group.locator("select[name=topic]").select_option("reclame_uithangbord")
            await group.locator("button[value=topic]").click()
            await page.wait_for_selector("p.notice")
            notice = await page.locator("p.notice").inner_text()
            assert "4 vragen toegewezen aan" in notice and "3 nieuwe voorbeelden" in notice
            assert await page.locator("#group-count").inner_text() == "1"
            assert await page.locator("section.group", has_text="zonnescherm").count() == 0
            assert not problems, problems
            await browser.close()
        data = yaml.safe_load(await asyncio.to_thread(reviewed.read_text, "utf-8"))
        assert data["nlu"] == [{"intent": "ask_reclame_uithangbord",
                                "examples": "".join(f"- {t}\n" for t in sorted(set(SUNSHADE)))}]
    finally:
        await server.close()
