"""The insights page in real Chromium (Playwright): an officer logs in, the Chart.js charts
render under our CSP (no violation), the municipality filter works, the CSV downloads."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot.insights.dashboard import STATIC
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.handoff.conftest import PASSWORD
from tests.bot.handoff.web_helpers import SERVICE_TOKEN
from tests.insights.test_dashboard import seed_turns
from tests.web.test_chat import FakeRasa as FakeChat

pytestmark = pytest.mark.browser
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def required(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def require_browser_and_chartjs() -> None:
    if not CHROMIUM.exists():
        required(f"{CHROMIUM} missing (make install-browser)")
    if not STATIC["chart.umd.js"][0].is_file():
        required("node_modules/chart.js missing (npm ci)")


async def test_an_officer_sees_the_charts_filters_and_exports(monkeypatch, tmp_path):
    require_browser_and_chartjs()
    from playwright.async_api import async_playwright

    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", SERVICE_TOKEN)
    monkeypatch.setenv("INSIGHTS_DB_URL", f"sqlite:///{tmp_path / 'insights.sqlite3'}")
    monkeypatch.setenv("INSIGHTS", "off")
    monkeypatch.setenv("INSIGHTS_MIN_COUNT", "2")
    server = TestServer(create_app(WebConfig(), rasa=FakeChat()))  # type: ignore[arg-type]
    await server.start_server()
    try:
        await seed_turns(server.app)
        from bot.handoff.web.services import HOLDER_KEY

        hub = server.app[HOLDER_KEY].services
        assert hub is not None
        await hub.officers.create("ann", PASSWORD, ["provincie_oost_vlaanderen"],
                                  display_name="Ann")
        base = str(server.make_url("")).rstrip("/")
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = await browser.new_page(accept_downloads=True)
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error"
                    and "Failed to load resource" not in m.text else None)
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                    if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            await page.goto(f"{base}/officer/insights")
            await page.fill("input[name=name]", "ann")
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            await page.goto(f"{base}/officer/insights")
            await page.wait_for_selector("body[data-charts=drawn]", timeout=10000)
            for chart in ("#chart-weekly", "#chart-topics", "#chart-hours", "#chart-dossiers",
                          "#chart-feedback"):
                box = await page.locator(chart).bounding_box()
                assert box is not None and box["width"] > 100 and box["height"] > 50
            drawn = await page.evaluate(
                "() => window.Chart.getChart('chart-topics').data.datasets.map(d => d.label)")
            assert drawn == ["Aalst", "Gent"]
            hours = await page.evaluate(
                "() => window.Chart.getChart('chart-hours').data.datasets.map(d => d.label)")
            assert hours == ["Loket open", "Loket gesloten", "Openingsuren onbekend"]
            await page.select_option("select[name=nis]", "44021")
            await page.click("form.filters button[type=submit]")
            await page.wait_for_selector("body[data-charts=drawn]")
            assert await page.evaluate(
                "() => window.Chart.getChart('chart-topics').data.datasets.map(d => d.label)"
            ) == ["Gent"]
            rows = await page.locator("table.figures tbody tr").all_inner_texts()
            assert len(rows) == 1 and rows[0].startswith("Gent")
            async with page.expect_download() as download_info:
                await page.click("a.csv")
            download = await download_info.value
            text = await asyncio.to_thread(Path(await download.path()).read_text, "utf-8")
            assert text.startswith("from,to,nis,municipality,figure,topic,count")
            # the window ends today (the day of the request, which may follow TODAY's midnight)
            assert re.search(r",\d{4}-\d{2}-\d{2},44021,Gent,topic,terrasvergunning,2", text)
            assert not problems, problems  # no CSP violation, no script error
            await browser.close()
    finally:
        await server.close()
