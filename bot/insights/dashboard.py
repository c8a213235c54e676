"""`/officer/insights`: the insights page of the officer console (officer session required),
its CSV export and its static files (Chart.js from node_modules, served by us: no CDN).

An officer sees the municipalities of their counters (a province team all of its province);
figures from fewer than INSIGHTS_MIN_COUNT conversations are shown as "–"."""

from __future__ import annotations

import csv
import html
import io
import json
import statistics
from datetime import date, datetime, timedelta
from pathlib import Path
from string import Template
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.handoff.web.auth import require_session
from bot.insights.api import API_KEY, InsightsApi
from bot.insights.summary import Period, summary, weekly
from bot.paths import PROJECT_ROOT

HERE = Path(__file__).parent
TEMPLATE = HERE / "templates" / "insights.html"
STATIC = {
    "insights.js": (HERE / "static" / "insights.js", "application/javascript"),
    "insights.css": (HERE / "static" / "insights.css", "text/css"),
    "chart.umd.js": (PROJECT_ROOT / "node_modules" / "chart.js" / "dist" / "chart.umd.js",
                     "application/javascript"),
}
DEFAULT_DAYS = 28
MAX_DAYS = 400
NO_STORE = {"Cache-Control": "no-store"}


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _period(request: web.Request, zone: str) -> tuple[Period, bool]:
    today = datetime.now(ZoneInfo(zone)).date()
    start, end = _day(request.query.get("from")), _day(request.query.get("to"))
    if start is None or end is None or end < start or (end - start).days > MAX_DAYS:
        asked = "from" in request.query or "to" in request.query
        return Period(today - timedelta(days=DEFAULT_DAYS - 1), today), asked
    return Period(start, end), False


async def _figures(request: web.Request) -> tuple[InsightsApi, Any, Period, bool, dict[str, Any],
                                                  list[dict[str, Any]], list[str]]:
    session = await require_session(request, page=request.path == "/officer/insights")
    api = request.app[API_KEY]
    period, bad_dates = _period(request, api.config.timezone)
    allowed = api.scope.municipalities(session.officer.counters)
    nis = request.query.get("nis") or None
    if nis is not None and (nis not in api.scope.names or
                            (allowed is not None and nis not in allowed)):
        raise web.HTTPForbidden()
    chosen = frozenset({nis}) if nis else allowed
    async with api.db.transaction() as tx:
        overview = await summary(tx, period, sorted(allowed) if allowed is not None else None,
                                 api.scope.names.get, api.config.min_count)
        figures = overview if not nis else await summary(
            tx, period, sorted(chosen or ()), api.scope.names.get, api.config.min_count,
            always=(nis,))
        series = await weekly(tx, period, sorted(chosen) if chosen is not None else None,
                              api.config.min_count)
        everyone = await summary(tx, period, None, api.scope.names.get, api.config.min_count)
    figures = {**figures, "median": median_rates(everyone["municipalities"])}
    options = [m["nis"] for m in overview["municipalities"]]
    if nis and nis not in options:
        options.append(nis)
    return api, session, period, bad_dates, figures, series, options


def _count(value: Any) -> str:
    return "–" if value is None else str(value)


def rate(part: int | None, whole: int | None) -> float | None:
    """A share in percent, only when both counts are shown."""
    if part is None or not whole:
        return None
    return round(100.0 * part / whole, 1)


def median_rates(municipalities: list[dict[str, Any]]) -> dict[str, float | None]:
    """Median fallback and hand-off rate over the municipalities with shown counts (the
    comparison a municipality sees beside its own figures)."""
    result: dict[str, float | None] = {}
    for key in ("fallbacks", "handoffs"):
        values = sorted(v for m in municipalities
                        if (v := rate(m[key], m["conversations"])) is not None)
        result[key] = statistics.median(values) if values else None
    return result


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:g} %"


async def page(request: web.Request) -> web.Response:
    api, session, period, bad_dates, figures, series, options = await _figures(request)
    nis = request.query.get("nis") or ""
    option_html = "\n".join(
        f'<option value="{html.escape(code)}"{" selected" if code == nis else ""}>'
        f"{html.escape(api.scope.names.get(code, code))}</option>" for code in options)
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in (
            m["name"] or m["nis"], _count(m["conversations"]), _count(m["fallbacks"]),
            _percent(rate(m["fallbacks"], m["conversations"])), _count(m["handoffs"]),
            _percent(rate(m["handoffs"], m["conversations"])), _count(m["dossiers_submitted"]),
            _count(m["feedback"]["up"]), _count(m["feedback"]["down"]))) + "</tr>"
        for m in figures["municipalities"])
    median = figures["median"]
    query = {"from": period.start.isoformat(), "to": period.end.isoformat(),
             **({"nis": nis} if nis else {})}
    data = json.dumps({"summary": figures, "weekly": series, "topic_titles": {}},
                      ensure_ascii=False).replace("<", "\\u003c").replace("&", "\\u0026")
    body = Template(TEMPLATE.read_text("utf-8")).substitute(
        officer=html.escape(session.officer.display_name),
        counters=html.escape(", ".join(session.officer.counters)),
        **{"from": period.start.isoformat()}, to=period.end.isoformat(),
        options=option_html, rows=rows, data=data, min_count=api.config.min_count,
        median_fallbacks=_percent(median["fallbacks"]),
        median_handoffs=_percent(median["handoffs"]),
        csv_url=html.escape(str(request.app.router["insights_csv"].url_for().with_query(query))),
        error='<p class="error">Ongeldige periode: we tonen de laatste 28 dagen.</p>'
        if bad_dates else "")
    return web.Response(text=body, content_type="text/html", headers=NO_STORE)


async def export_csv(request: web.Request) -> web.Response:
    """Long format: one row per municipality and figure (topics one row each)."""
    _api, _session, period, _bad, figures, series, _options = await _figures(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["from", "to", "nis", "municipality", "figure", "topic", "count"])
    for m in figures["municipalities"]:
        base = [period.start.isoformat(), period.end.isoformat(), m["nis"], m["name"]]
        for figure in ("conversations", "fallbacks", "handoffs", "dossiers_submitted"):
            writer.writerow([*base, figure, "", _csv(m[figure])])
        for vote in ("up", "down"):
            writer.writerow([*base, f"feedback_{vote}", "", _csv(m["feedback"][vote])])
        for topic, count in m["topics"].items():
            writer.writerow([*base, "topic", topic, _csv(count)])
    for key, value in figures["median"].items():
        writer.writerow([period.start.isoformat(), period.end.isoformat(), "", "",
                         f"median_{key}_percent", "", _csv(value)])
    for point in series:
        writer.writerow([period.start.isoformat(), period.end.isoformat(), point["nis"],
                         "", f"conversations_week_{point['week']}", "",
                         _csv(point["conversations"])])
    name = f"inzichten-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return web.Response(text=out.getvalue(), content_type="text/csv", charset="utf-8",
                        headers={**NO_STORE,
                                 "Content-Disposition": f'attachment; filename="{name}"'})


def _csv(value: Any) -> str:
    return "" if value is None else str(value)


async def static(request: web.Request) -> web.StreamResponse:
    entry = STATIC.get(request.match_info["name"])
    if entry is None or not entry[0].is_file():
        raise web.HTTPNotFound()
    path, content_type = entry
    return web.FileResponse(path, headers={"Content-Type": content_type,
                                           "Cache-Control": "max-age=3600"})


def setup_dashboard_routes(app: web.Application) -> None:
    app.router.add_get("/officer/insights", page, name="insights_page")
    app.router.add_get("/officer/insights.csv", export_csv, name="insights_csv")
    app.router.add_get(r"/officer/insights/static/{name:[a-z.]+\.(?:js|css)}", static)
