"""Erasing one conversation, the same way whoever asks.

* The owner ("verwijder mijn gegevens", actions/erasure.py): the action server calls
  `POST /api/conversations/erase` (bot/web/erasure_api.py) for the web app's part, then sets the
  `erase_conversation` slot, and the tracker store deletes the conversation when it saves it
  (connectors/tracker_store.py).
* An officer (console, a closed request of their counter): the same slot reaches the tracker
  store through Rasa's HTTP API first (when Rasa cannot be reached nothing is deleted and the
  officer can try again), then the same web-app part; the audit log records who erased which
  request.

The web app's part: the conversation's hand-off requests with their call-back contact data and
transcript lines, and whatever the app registers in `ERASERS` (the feedback votes)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.handoff.models import HandoffRequest, Officer
from bot.handoff.web.services import Services
from bot.tracker_privacy import ERASE_SLOT

ConversationEraser = Callable[[str], Awaitable[int]]  # conversation id -> rows deleted
ERASERS: web.AppKey[dict[str, ConversationEraser]] = web.AppKey("conversation_erasers", dict)
AUDIT_ACTION = "erase_conversation"


def add_eraser(app: web.Application, name: str, eraser: ConversationEraser) -> None:
    app.setdefault(ERASERS, {})[name] = eraser


async def erase_web_data(app: web.Application, hub: Services,
                         conversation_id: str) -> dict[str, int]:
    """Delete what the web app keeps of the conversation; rows deleted per kind."""
    counts = {"handoff_requests": await hub.requests.erase_conversation(conversation_id)}
    for name, eraser in app.get(ERASERS, {}).items():
        counts[name] = await eraser(conversation_id)
    return counts


async def erase_by_officer(app: web.Application, hub: Services, officer: Officer,
                           handoff: HandoffRequest) -> dict[str, int]:
    """The whole conversation of a (closed) request; RasaApiError when Rasa is unreachable
    (then nothing is deleted)."""
    await hub.rasa.append_events(handoff.conversation_id, [
        {"event": "slot", "name": ERASE_SLOT, "value": True, "timestamp": time.time()}])
    counts = await erase_web_data(app, hub, handoff.conversation_id)
    await hub.audit.record(officer.id, AUDIT_ACTION, handoff.reference)
    return counts
