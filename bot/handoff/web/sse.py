"""Server-sent events for the console: queue changes and new messages in live conversations,
for the counters of the signed-in officer only. Heartbeats keep the officer 'available'."""

from __future__ import annotations

import json

from aiohttp import web

from bot.handoff.web.auth import SESSION_COOKIE, require_session
from bot.handoff.web.services import services


async def events(request: web.Request) -> web.StreamResponse:
    session = await require_session(request)
    hub = services(request)
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream", "Cache-Control": "no-store",
        "X-Accel-Buffering": "no"})
    await response.prepare(request)
    subscription = hub.broker.subscribe(session.officer.counters)
    token = request.cookies.get(SESSION_COOKIE, "")
    try:
        await response.write(b"retry: 3000\n\n")
        while True:
            event = await subscription.next(hub.config.heartbeat_seconds)
            if event is None:
                break
            if not event:
                if await hub.officers.session(token) is None:  # logged out or expired
                    await response.write(b"event: logout\ndata: {}\n\n")
                    break
                await response.write(b": heartbeat\n\n")
                continue
            data = json.dumps(event, separators=(",", ":"))
            await response.write(f"event: {event['type']}\ndata: {data}\n\n".encode())
    except (ConnectionResetError, RuntimeError):
        pass  # the officer closed the page
    finally:
        hub.broker.unsubscribe(subscription)
    return response
