"""The web app's part of the right to erasure: the action server asks it (with the hand-off
service token) to delete what it keeps of one conversation: hand-off requests with the contact
data given for a call-back, the transcript, and feedback votes."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.handoff.web.service_api import authorize_service, read_json_body, valid_conversation_id
from bot.handoff.web.services import services
from bot.web import feedback_api

logger = logging.getLogger(__name__)


async def erase_conversation(request: web.Request) -> web.Response:
    authorize_service(request)
    conversation_id = valid_conversation_id(await read_json_body(request))
    requests = await services(request).requests.erase_conversation(conversation_id)
    votes = request.app[feedback_api.STORE_KEY].erase_conversation(conversation_id)
    logger.info("erased a conversation: %d hand-off requests, %d votes", requests, votes)
    return web.json_response({"erased": True, "handoff_requests": requests, "feedback": votes})


def setup_erasure_routes(app: web.Application) -> None:
    app.router.add_post("/api/conversations/erase", erase_conversation)
