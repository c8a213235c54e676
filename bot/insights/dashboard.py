"""`/officer/insights`: the insights page of the officer console (officer session required),
its CSV export and its static files (Chart.js from node_modules, served by us: no CDN).

An officer sees the municipalities of their counters (a province team all of its province);
figures from fewer than INSIGHTS_MIN_COUNT conversations are shown as "–". Filters: period,
municipality, counter, channel, topic (`figures.Selection`)."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from string import Template
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from aiohttp import web

from bot.handoff.web.auth import require_session
from bot.insights.api import API_KEY, InsightsApi
from bot.insights.figures import OutOfScope, Selection, collect, median_rates, rate, topic_titles
from bot.insights.summary import Filters, Period
from bot.paths import PROJECT_ROOT

HERE = Path(__file__).parent
TEMPLATE = HERE / "templates" / "insights.html"
LABELS = HERE / "templates" / "labels.yml"
STATIC = {
    "insights.js": (HERE / "static" / "insights.js", "application/javascript"),
    "insights.css": (HERE / "static" / "insights.css", "text/css"),
    "chart.umd.js": (PROJECT_ROOT / "node_modules" / "chart.js" / "dist" / "chart.umd.js",
                     "application/javascript"),
}
DEFAULT_DAYS = 28
MAX_DAYS = 400
MAX_FILTER = 100
NO_STORE = {"Cache-Control": "no-store"}
__all__ = ["STATIC", "median_rates", "rate", "setup_dashboard_routes"]


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


def _param(request: web.Request, name: str) -> str | None:
    value = request.query.get(name, "").strip()
    return value[:MAX_FILTER] or None


def selection_of(request: web.Request, period: Period) -> Selection:
    return Selection(period, nis=_param(request, "nis"), counter=_param(request, "counter"),
                     filters=Filters(channel=_param(request, "channel"),
                                     topic=_param(request, "topic")))


async def figures_for(request: web.Request, api: InsightsApi, counters: Sequence[str],
                      selection: Selection) -> dict[str, Any]:
    try:
        return await collect(api, counters, selection)
    except OutOfScope:
        raise web.HTTPForbidden() from None


def count(value: Any) -> str:
    return "–" if value is None else str(value)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:g} %"


def options_html(values: Iterable[str], chosen: str | None, label: Mapping[str, str]) -> str:
    return "\n".join(
        f'<option value="{html.escape(v)}"{" selected" if v == chosen else ""}>'
        f"{html.escape(label.get(v, v))}</option>" for v in values)


def rows_html(rows: Iterable[Sequence[str]]) -> str:
    return "\n".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
                     for row in rows)


def municipality_rows(figures: Mapping[str, Any]) -> list[list[str]]:
    return [[m["name"] or m["nis"], count(m["conversations"]), count(m["fallbacks"]),
             percent(rate(m["fallbacks"], m["conversations"])), count(m["handoffs"]),
             percent(rate(m["handoffs"], m["conversations"])), count(m["dossiers_submitted"]),
             count(m["feedback"]["up"]), count(m["feedback"]["down"])]
            for m in figures["summary"]["municipalities"]]


def labels() -> dict[str, dict[str, str]]:
    return dict(yaml.safe_load(LABELS.read_text("utf-8")))


def step_labels(content_dir: Path) -> dict[str, str]:
    """Dossier form fields -> their Dutch label (content/dossier_forms.yml)."""
    path = content_dir / "dossier_forms.yml"
    data = yaml.safe_load(path.read_text("utf-8")) if path.is_file() else {}
    return {name: str(spec.get("label") or name)
            for name, spec in ((data or {}).get("fields") or {}).items()
            if isinstance(spec, Mapping)}


def minutes(seconds: int | None) -> str:
    return "–" if seconds is None else f"{seconds / 60:.1f} min"


def _beside(measure: Mapping[str, Any], flag: str) -> list[str]:
    """Own share, the median, a flag when notably higher, the best of the chosen ones."""
    return [percent(measure["rate"]), percent(measure["median"]),
            flag if measure["notable"] else "", measure["best"] or "–"]


def detail_rows(figures: Mapping[str, Any], titles: Mapping[str, str],
                counters: Mapping[str, str], steps: Mapping[str, str]) -> dict[str, str]:
    """The tables under the charts (the same figures, readable without the charts)."""
    outcome, flag = labels()["handoff_outcomes"], labels()["comparison"]["notable"]
    return {
        "dossier_rows": rows_html(
            [titles.get(d["type"], d["type"]), count(d["started"]), count(d["submitted"]),
             count(d["abandoned"]),
             ", ".join(f"{steps.get(k, k)}: {count(v)}" for k, v in d["stopped_at"].items())]
            for d in figures["dossiers"]),
        "feedback_rows": rows_html(
            [titles.get(f["topic"], f["topic"]) or "–", count(f["up"]), count(f["down"])]
            for f in figures["feedback_topics"]),
        "handoff_rows": rows_html(
            [counters.get(h["counter"], h["counter"]) or "–", count(h["queued"]),
             count(h["callback"]), count(h["unavailable"]),
             ", ".join(f"{outcome.get(k, k)}: {count(v)}" for k, v in h["outcomes"].items()),
             minutes(h["median_wait_seconds"])]
            for h in figures["handoffs"]),
        "topic_comparison_rows": rows_html(
            [titles.get(c["subject"], c["subject"]), count(c["conversations"]),
             *_beside(c["fallbacks"], flag), *_beside(c["handoffs"], flag)]
            for c in figures["comparison"]["topics"]),
        "dossier_comparison_rows": rows_html(
            [titles.get(c["subject"], c["subject"]), count(c["conversations"]),
             *_beside(c["abandoned"], flag)] for c in figures["comparison"]["dossiers"]),
        "hour_rows": rows_html(
            [f"{h['hour']:02d}:00", count(h["open"]), count(h["closed"]), count(h["unknown"])]
            for h in figures["hours"] if any(h[k] != 0 for k in ("open", "closed", "unknown"))),
    }


def chart_data(figures: Mapping[str, Any], titles: Mapping[str, str]) -> str:
    """The figures for insights.js, safe inside a <script type="application/json">."""
    data = {key: figures[key] for key in ("summary", "weekly", "hours", "dossiers",
                                          "feedback_topics", "handoffs")}
    data["topic_titles"] = dict(titles)
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace("&", "\\u0026")


def counter_names(api: InsightsApi) -> dict[str, str]:
    return {counter_id: counter.name for counter_id, counter in api.scope.counters.items()}


async def page(request: web.Request) -> web.Response:
    session = await require_session(request, page=True)
    api = request.app[API_KEY]
    period, bad_dates = _period(request, api.config.timezone)
    selection = selection_of(request, period)
    figures = await figures_for(request, api, session.officer.counters, selection)
    titles = await asyncio.to_thread(topic_titles, api)
    options, names = figures["options"], counter_names(api)
    median = figures["summary"]["median"]
    query = selection.query()
    body = Template(TEMPLATE.read_text("utf-8")).substitute(
        officer=html.escape(session.officer.display_name),
        counters=html.escape(", ".join(session.officer.counters)),
        **{"from": period.start.isoformat()}, to=period.end.isoformat(),
        options=options_html(options["municipalities"], selection.nis, api.scope.names),
        counter_options=options_html(options["counters"], selection.counter, names),
        channel_options=options_html(options["channels"], selection.filters.channel, {}),
        topic_options=options_html(titles, selection.filters.topic, titles),
        rows=rows_html(municipality_rows(figures)),
        **detail_rows(figures, titles, names, step_labels(api.config.content_dir)),
        data=chart_data(figures, titles), min_count=api.config.min_count,
        median_fallbacks=percent(median["fallbacks"]),
        median_handoffs=percent(median["handoffs"]),
        csv_url=html.escape(str(request.app.router["insights_csv"].url_for().with_query(query))),
        report_month=period.end.strftime("%Y-%m"),
        error='<p class="error">Ongeldige periode: we tonen de laatste 28 dagen.</p>'
        if bad_dates else "")
    return web.Response(text=body, content_type="text/html", headers=NO_STORE)


def write_csv(out: io.StringIO, period: Period, figures: Mapping[str, Any]) -> None:
    """Long format: one row per municipality (or table) and figure; topics one row each."""
    writer = csv.writer(out)
    writer.writerow(["from", "to", "nis", "municipality", "figure", "topic", "count"])
    first, last = period.start.isoformat(), period.end.isoformat()
    for m in figures["summary"]["municipalities"]:
        base = [first, last, m["nis"], m["name"]]
        for figure in ("conversations", "fallbacks", "handoffs", "dossiers_submitted"):
            writer.writerow([*base, figure, "", _csv(m[figure])])
        for vote in ("up", "down"):
            writer.writerow([*base, f"feedback_{vote}", "", _csv(m["feedback"][vote])])
        for topic, n in m["topics"].items():
            writer.writerow([*base, "topic", topic, _csv(n)])
    for key, value in figures["summary"]["median"].items():
        writer.writerow([first, last, "", "", f"median_{key}_percent", "", _csv(value)])
    for point in figures["weekly"]:
        writer.writerow([first, last, point["nis"], "", f"conversations_week_{point['week']}",
                         "", _csv(point["conversations"])])
    for hour in figures["hours"]:
        for kind in ("open", "closed", "unknown"):
            writer.writerow([first, last, "", "", f"questions_hour_{hour['hour']:02d}_{kind}",
                             "", _csv(hour[kind])])
    for dossier in figures["dossiers"]:
        for kind in ("started", "submitted", "abandoned"):
            writer.writerow([first, last, "", "", f"dossiers_{kind}", dossier["type"],
                             _csv(dossier[kind])])
        for step, n in dossier["stopped_at"].items():
            writer.writerow([first, last, "", "", f"dossiers_stopped_at_{step}",
                             dossier["type"], _csv(n)])
    for entry in figures["feedback_topics"]:
        for vote in ("up", "down"):
            writer.writerow([first, last, "", "", f"feedback_{vote}_per_topic", entry["topic"],
                             _csv(entry[vote])])
    for item in figures["comparison"]["topics"] + figures["comparison"]["dossiers"]:
        for measure in ("fallbacks", "handoffs", "abandoned"):
            if measure in item:
                for key in ("rate", "median"):
                    writer.writerow([first, last, "", "", f"{measure}_{key}_percent",
                                     item["subject"], _csv(item[measure][key])])
    for handoff in figures["handoffs"]:
        for kind in ("queued", "callback", "unavailable"):
            writer.writerow([first, last, "", handoff["counter"], f"handoffs_{kind}", "",
                             _csv(handoff[kind])])
        writer.writerow([first, last, "", handoff["counter"], "handoff_median_wait_seconds",
                         "", _csv(handoff["median_wait_seconds"])])


async def export_csv(request: web.Request) -> web.Response:
    session = await require_session(request)
    api = request.app[API_KEY]
    period, _bad = _period(request, api.config.timezone)
    figures = await figures_for(request, api, session.officer.counters,
                                selection_of(request, period))
    out = io.StringIO()
    write_csv(out, period, figures)
    name = f"inzichten-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return csv_response(out.getvalue(), name)


def csv_response(text: str, name: str) -> web.Response:
    return web.Response(text=text, content_type="text/csv", charset="utf-8",
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
