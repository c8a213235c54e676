"""`GET /officer/insights/report?month=YYYY-MM[&nis=NNNNN][&format=csv]`: the monthly report a
municipality takes to its council: the dashboard's figures for one calendar month (the
officer's municipalities, or the one chosen), beside the median of the tenant's
municipalities, as HTML that prints well or as the dashboard's CSV. Suppression as on the
dashboard. Without `month`: the last complete month."""

from __future__ import annotations

import asyncio
import html
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from string import Template
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from aiohttp import web

from bot.handoff.web.auth import require_session
from bot.handoff.web.services import services
from bot.insights.api import API_KEY
from bot.insights.dashboard import (
    NO_STORE,
    chart_data,
    counter_names,
    csv_response,
    detail_rows,
    figures_for,
    municipality_rows,
    percent,
    rows_html,
    step_labels,
    write_csv,
)
from bot.insights.figures import Selection, rate, topic_titles
from bot.insights.summary import Period

HERE = Path(__file__).parent / "templates"
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_period(value: str | None, today: date) -> tuple[Period, bool]:
    """The calendar month `YYYY-MM`; the last complete month when missing or not a month
    (then also True: the officer asked for something we could not read)."""
    match = _MONTH.fullmatch(value or "")
    if match and 1 <= int(match.group(2)) <= 12 and 2000 <= int(match.group(1)) <= 2999:
        start = date(int(match.group(1)), int(match.group(2)), 1)
        bad = False
    else:
        start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        bad = value is not None
    following = (start + timedelta(days=32)).replace(day=1)
    return Period(start, following - timedelta(days=1)), bad


def month_name(period: Period, locale_file: Path) -> str:
    """"november 2026", with the month names of content/locale.yml."""
    locale = yaml.safe_load(locale_file.read_text("utf-8")) or {}
    months = locale.get("months") or []
    name = months[period.start.month - 1] if len(months) == 12 else period.start.strftime("%m")
    return f"{name} {period.start.year}"


def comparison(m: dict[str, Any], median: dict[str, float | None]) -> list[str]:
    return [m["name"] or m["nis"],
            percent(rate(m["fallbacks"], m["conversations"])), percent(median["fallbacks"]),
            percent(rate(m["handoffs"], m["conversations"])), percent(median["handoffs"])]


def topic_rows(figures: dict[str, Any], titles: dict[str, str]) -> list[list[str]]:
    return [[m["name"] or m["nis"], titles.get(topic, topic), "–" if n is None else str(n)]
            for m in figures["summary"]["municipalities"] for topic, n in m["topics"].items()]


async def report(request: web.Request) -> web.Response:
    session = await require_session(request, page=request.query.get("format") != "csv")
    api = request.app[API_KEY]
    today = datetime.now(ZoneInfo(api.config.timezone)).date()
    period, bad = month_period(request.query.get("month"), today)
    nis = request.query.get("nis") or None
    figures = await figures_for(request, api, session.officer.counters,
                                Selection(period, nis=nis))
    await services(request).audit.record(session.officer.id, "insights_report",
                                         f"{period.start:%Y-%m} {nis or 'all'}")
    if request.query.get("format") == "csv":
        out = io.StringIO()
        write_csv(out, period, figures)
        return csv_response(out.getvalue(), f"maandrapport-{period.start:%Y-%m}.csv")
    titles = await asyncio.to_thread(topic_titles, api)
    median = figures["summary"]["median"]
    municipalities = figures["summary"]["municipalities"]
    names = ", ".join(m["name"] or m["nis"] for m in municipalities)
    query = {"month": f"{period.start:%Y-%m}", **({"nis": nis} if nis else {}), "format": "csv"}
    body = Template((HERE / "report.html").read_text("utf-8")).substitute(
        month=html.escape(month_name(period, api.config.content_dir / "locale.yml")),
        municipalities=html.escape(names or "–"),
        first=period.start.isoformat(), last=period.end.isoformat(),
        month_value=f"{period.start:%Y-%m}", officer=html.escape(session.officer.display_name),
        rows=rows_html(municipality_rows(figures)),
        comparison_rows=rows_html(comparison(m, median) for m in municipalities),
        topic_rows=rows_html(topic_rows(figures, titles)),
        **detail_rows(figures, titles, counter_names(api), step_labels(api.config.content_dir)),
        median_fallbacks=percent(median["fallbacks"]),
        median_handoffs=percent(median["handoffs"]), min_count=api.config.min_count,
        data=chart_data(figures, titles), nis=html.escape(nis or ""),
        csv_url=html.escape(str(request.rel_url.with_query(query))),
        error=(HERE / "report_bad_month.html").read_text("utf-8") if bad else "")
    return web.Response(text=body, content_type="text/html", headers=NO_STORE)


def setup_report_routes(app: web.Application) -> None:
    app.router.add_get("/officer/insights/report", report, name="insights_report")
