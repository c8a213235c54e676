"""`setup_widget_routes`: everything of the embeddable chat widget in our web app.

* `/static/widget.js` + `/static/widget.css` (served by the app's static route): one script tag
  on any municipal page loads the widget;
* `GET /api/widget/texts`: its Dutch texts (content/widget.yml), readable from any site;
* `GET /socket.io/`: WebSocket relay to Rasa's socket.io channel (bot/web/socket_proxy.py);
* `POST /api/feedback`: thumbs up/down on answers (bot/web/feedback_api.py);
* `POST /api/widget/history`: the transcript of the widget's own (signed) conversation from
  Rasa's tracker, shown again after a reload (bot/web/widget_history.py);
* `GET /demo?municipality=Aalst`: a mock municipal page that embeds the widget;
* `POST /webhooks/{telegram|twilio_whatsapp|teams}/webhook`: relayed to Rasa (messaging apps).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path
from string import Template
from typing import Any

import yaml
from aiohttp import web

from bot.feedback import FeedbackStore
from bot.web import feedback_api, socket_proxy, webhook_relay, widget_history
from bot.web.widget_settings import SETTINGS_KEY, WidgetSettings
from bot.webcore.config import WebConfig

HERE = Path(__file__).parent
_MUNICIPALITY_RE = re.compile(r"[^\W\d_][\w' -]{0,59}")


@lru_cache(maxsize=4)
def load_widget_texts(path: Path) -> dict[str, dict[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(data.get(k), dict)
                                             for k in ("widget", "demo")):
        raise ValueError(f"{path}: expected the sections 'widget' and 'demo'")
    return {section: {str(k): str(v) for k, v in data[section].items()}
            for section in ("widget", "demo")}


def _texts(request: web.Request) -> dict[str, dict[str, str]]:
    return load_widget_texts(request.app[SETTINGS_KEY].content_dir / "widget.yml")


async def texts(request: web.Request) -> web.Response:
    return web.json_response(_texts(request)["widget"], headers={
        "Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300"})


def page_municipality(raw: str | None) -> str:
    value = (raw or "").strip()
    return value if _MUNICIPALITY_RE.fullmatch(value) else ""


async def demo(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS_KEY]
    municipality = page_municipality(request.query.get("municipality"))
    words = _texts(request)["demo"]

    def text(key: str) -> str:
        generic = words.get(f"{key}_generic")
        chosen = words[key] if municipality or generic is None else generic
        return chosen.replace("{municipality}", municipality)

    values: dict[str, Any] = {key: text(key) for key in
                              ("page_title", "banner", "heading", "intro", "body")}
    values.update(tenant=settings.tenant, municipality=municipality)
    escaped = {key: html.escape(str(value), quote=True) for key, value in values.items()}
    template = Template((HERE / "templates" / "demo.html").read_text("utf-8"))
    return web.Response(text=template.safe_substitute(escaped), content_type="text/html")


def setup_widget_routes(app: web.Application, config: WebConfig | None = None) -> None:
    config = config or WebConfig.from_env()
    settings = WidgetSettings.from_env(config)
    app[SETTINGS_KEY] = settings
    app[feedback_api.STORE_KEY] = FeedbackStore(settings.feedback_db)
    app[feedback_api.GATE_KEY] = feedback_api.FeedbackGate.from_env(config.env)
    app.cleanup_ctx.append(socket_proxy.proxy_session)
    app.on_shutdown.append(socket_proxy.close_open_sockets)  # type: ignore[arg-type]
    router = app.router
    router.add_get("/demo", demo)
    router.add_get("/api/widget/texts", texts)
    router.add_post("/api/feedback", feedback_api.post_feedback)
    router.add_route("OPTIONS", "/api/feedback", feedback_api.preflight)
    router.add_post("/api/widget/history", widget_history.post_history)
    router.add_route("OPTIONS", "/api/widget/history", feedback_api.preflight)
    router.add_get("/socket.io/", socket_proxy.socket_proxy)
    webhook_relay.add_relay_route(app)
