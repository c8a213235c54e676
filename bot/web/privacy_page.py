"""The owners' privacy text at /privacy (content/privacy.yml), with the periods filled in from
the tenant's `retention_days`, so the page promises exactly what the purge job enforces. The
chat page and the widget link to it from their privacy line."""

from __future__ import annotations

import html
from dataclasses import asdict
from pathlib import Path
from string import Template
from typing import Any

import yaml
from aiohttp import web

from bot.counters import load_tenant
from bot.webcore.config import WebConfig

HERE = Path(__file__).parent
PRIVACY_HTML_KEY = web.AppKey("privacy_html", str)


def render_privacy(content_dir: Path, tenant: str) -> str:
    data: dict[str, Any] = yaml.safe_load((content_dir / "privacy.yml").read_text("utf-8"))
    days = asdict(load_tenant(content_dir / "tenants" / f"{tenant}.yml").retention)
    controller = {key: str(value) for key, value in data["controller"].items() if key != "example"}
    values = {**days, **controller, "controller": controller["name"]}
    sections = "\n".join(
        f"<section><h2>{html.escape(str(s['heading']))}</h2>"
        f"<p>{html.escape(str(s['text']).format(**values))}</p></section>"
        for s in data["sections"])
    template = Template((HERE / "templates" / "privacy.html").read_text("utf-8"))
    return template.substitute(title=html.escape(str(data["title"])), sections=sections)


async def privacy(request: web.Request) -> web.Response:
    return web.Response(text=request.app[PRIVACY_HTML_KEY], content_type="text/html")


def setup_privacy_page(app: web.Application, config: WebConfig) -> None:
    app[PRIVACY_HTML_KEY] = render_privacy(config.content_dir, config.tenant)
    app.router.add_get("/privacy", privacy)
