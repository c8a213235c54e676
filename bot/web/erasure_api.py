"""The web app's part of the right to erasure: the action server asks it (with the hand-off
service token) to delete what it keeps of one conversation: hand-off requests with the contact
data given for a call-back, the transcript, and feedback votes."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.handoff.web.erasure import add_eraser, erase_web_data
from bot.handoff.web.service_api import authorize_service, read_json_body, valid_conversation_id
from bot.handoff.web.services import services
from bot.web import feedback_api

logger = logging.getLogger(__name__)


async def erase_conversation(request: web.Request) -> web.Response:
    authorize_service(request)
    conversation_id = valid_conversation_id(await read_json_body(request))
    counts = await erase_web_data(request.app, services(request), conversation_id)
    logger.info("erased a conversation: %s", counts)
    return web.json_response({"erased": True, "handoff_requests": counts["handoff_requests"],
                              "feedback": counts.get("feedback", 0)})


def setup_erasure_routes(app: web.Application) -> None:
    async def erase_votes(conversation_id: str) -> int:
        return app[feedback_api.STORE_KEY].erase_conversation(conversation_id)

    add_eraser(app, "feedback", erase_votes)  # the owner's and the officers' erasure alike
    app.router.add_post("/api/conversations/erase", erase_conversation)
