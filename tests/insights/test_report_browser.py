"""The monthly report in real Chromium: charts drawn under the CSP, and it prints (PDF) with
the figures and without the page's controls."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestServer

from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.handoff.conftest import PASSWORD
from tests.bot.handoff.web_helpers import SERVICE_TOKEN
from tests.insights.test_dashboard_browser import ARGS, CHROMIUM, require_browser_and_chartjs
from tests.insights.test_details import seed
from tests.web.test_chat import FakeRasa as FakeChat

pytestmark = pytest.mark.browser


async def test_the_monthly_report_renders_and_prints(monkeypatch, tmp_path):
    require_browser_and_chartjs()
    from playwright.async_api import async_playwright

    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", SERVICE_TOKEN)
    monkeypatch.setenv("INSIGHTS_DB_URL", f"sqlite:///{tmp_path / 'insights.sqlite3'}")
    monkeypatch.setenv("INSIGHTS", "off")
    monkeypatch.setenv("INSIGHTS_MIN_COUNT", "1")
    server = TestServer(create_app(WebConfig(), rasa=FakeChat()))  # type: ignore[arg-type]
    await server.start_server()
    try:
        await seed(server.app)
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
            await page.goto(f"{base}/officer/login")
            await page.fill("input[name=name]", "sofie")
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            await page.goto(f"{base}/officer/insights/report?month=2026-11")
            await page.wait_for_selector("body[data-charts=drawn]", timeout=10000)
            assert await page.evaluate(
                "() => window.Chart.getChart('chart-topics').data.datasets[0].data"
            ) == [2]
            await page.emulate_media(media="print")
            assert not await page.locator("header.bar").is_visible()
            assert await page.locator("table.figures").is_visible()
            pdf = await page.pdf(format="A4")
            assert pdf.startswith(b"%PDF") and len(pdf) > 10000
            assert not problems, problems
            await browser.close()
    finally:
        await server.close()
