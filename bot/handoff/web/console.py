"""Officer console pages: the queue of the officer's counters and one conversation.

Officers see only requests of the counters they belong to (403 otherwise). A closed request
has a button that erases its whole conversation (bot/handoff/web/erasure.py)."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from bot.handoff.models import HandoffRequest
from bot.handoff.officers import Session
from bot.handoff.rasa_api import RasaApiError
from bot.handoff.takeover import TakeoverError
from bot.handoff.transcript import Transcript, build_transcript
from bot.handoff.web import views
from bot.handoff.web.auth import read_form, require_csrf, require_session
from bot.handoff.web.erasure import erase_by_officer
from bot.handoff.web.pages import page
from bot.handoff.web.render import Safe, join, render
from bot.handoff.web.services import Services, fill, services

NOTICE_KEYS = frozenset({"not_queued", "not_yours", "not_live", "empty", "too_long",
                         "already_closed", "rasa_unavailable", "taken", "taken_silent", "sent",
                         "handed_back", "closed", "erased", "not_closed", "erase_unconfirmed"})
ERROR_NOTICES = frozenset({"not_queued", "not_yours", "not_live", "empty", "too_long",
                           "already_closed", "rasa_unavailable", "taken_silent", "not_closed",
                           "erase_unconfirmed"})
FINISHED = frozenset({"closed", "returned"})  # no officer is live in it: it may be erased


def _html(fragment: Safe) -> web.Response:
    response = web.Response(text=fragment, content_type="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _notice(request: web.Request, texts: dict[str, str]) -> tuple[str | None, str]:
    code = request.query.get("notice", "")
    if code not in NOTICE_KEYS:
        return None, "info"
    return texts[f"notice_{code}"], "error" if code in ERROR_NOTICES else "info"


async def _queue_html(hub: Services, session: Session) -> Safe:
    counters = session.officer.counters
    live = await hub.requests.for_counters(counters, ("queued", "taken"))
    callbacks = [*await hub.requests.for_counters(counters, ("callback",)),
                 *await hub.requests.closed_callbacks(counters)]
    return views.queue_fragment(hub.texts(), session.csrf, hub.clock(), live, callbacks)


async def queue_page(request: web.Request) -> web.Response:
    session = await require_session(request, page=True)
    hub = services(request)
    texts = hub.texts()
    content = render("queue.html", heading=texts["queue_heading"], live_hint=texts["live_hint"],
                     fragment=await _queue_html(hub, session))
    notice, kind = _notice(request, texts)
    return page(texts, title=texts["queue_title"], content=content, session=session,
                notice=notice, notice_kind=kind, page_name="queue")


async def queue_fragment(request: web.Request) -> web.Response:
    session = await require_session(request)
    return _html(await _queue_html(services(request), session))


async def _authorized_request(request: web.Request, session: Session) -> HandoffRequest:
    hub = services(request)
    found = await hub.requests.get(int(request.match_info["id"]))
    if found is None:
        raise web.HTTPNotFound(text=hub.texts()["not_found"])
    if not session.officer.serves(found.counter):
        raise web.HTTPForbidden(text=hub.texts()["forbidden"])
    return found


async def _transcript(hub: Services, handoff: HandoffRequest) -> Transcript | None:
    try:
        return build_transcript(await hub.rasa.tracker(handoff.conversation_id))
    except RasaApiError:
        return None


def _actions(texts: dict[str, str], handoff: HandoffRequest, session: Session) -> Safe:
    csrf, mine = session.csrf, handoff.taken_by == session.officer.id
    forms = []
    if handoff.status == "queued":
        forms.append(views.action_form(texts, handoff, "take", csrf, "action_take"))
    if handoff.status == "taken" and mine:
        forms.append(views.action_form(texts, handoff, "handback", csrf, "action_handback"))
    if handoff.status == "queued" or (handoff.status == "taken" and mine):
        forms.append(views.action_form(texts, handoff, "close", csrf, "action_close",
                                       "button--quiet"))
    if handoff.status == "callback":
        forms.append(views.action_form(texts, handoff, "close", csrf, "action_callback_done"))
    if handoff.status in FINISHED:
        forms.append(render("erase_form.html", id=handoff.id, csrf=csrf,
                            hint=texts["erase_hint"], confirm=texts["erase_confirm"],
                            label=texts["action_erase"]))
    return join(forms)


async def request_page(request: web.Request) -> web.Response:
    session = await require_session(request, page=True)
    handoff = await _authorized_request(request, session)
    hub = services(request)
    texts = hub.texts()
    transcript = await _transcript(hub, handoff)
    can_reply = handoff.status == "taken" and handoff.taken_by == session.officer.id
    reply_form = render("reply_form.html", id=handoff.id, csrf=session.csrf,
                        reply_label=texts["reply_label"], send=texts["send"]) if can_reply \
        else Safe("")
    content = render(
        "request.html", id=handoff.id, back_to_queue=texts["back_to_queue"],
        heading=fill(texts["request_heading"], reference=handoff.reference),
        transcript_heading=texts["transcript_heading"],
        transcript=views.transcript_fragment(texts, transcript), reply_form=reply_form,
        actions=_actions(texts, handoff, session), details_heading=texts["details_heading"],
        details=views.details(texts, handoff), slots_heading=texts["slots_heading"],
        slots=views.slots(texts, transcript))
    notice, kind = _notice(request, texts)
    return page(texts, title=fill(texts["request_title"], reference=handoff.reference),
                content=content, session=session, notice=notice, notice_kind=kind,
                page_name="request", request_id=handoff.id)


async def transcript_fragment(request: web.Request) -> web.Response:
    session = await require_session(request)
    handoff = await _authorized_request(request, session)
    hub = services(request)
    return _html(views.transcript_fragment(hub.texts(), await _transcript(hub, handoff)))


async def _erase(request: web.Request, hub: Services, session: Session,
                 handoff: HandoffRequest, form: Mapping[str, object]) -> str:
    """The notice code; only a finished request, only with the confirmation ticked."""
    if handoff.status not in FINISHED:
        return "not_closed"
    if form.get("confirm") != "yes":
        return "erase_unconfirmed"
    await erase_by_officer(request.app, hub, session.officer, handoff)
    return "erased"


async def act(request: web.Request) -> web.Response:
    """POST take | reply | handback | close | erase; answers with a redirect
    (post/redirect/get)."""
    session = await require_session(request)
    form = await read_form(request)
    require_csrf(request, session, form)
    handoff = await _authorized_request(request, session)
    hub = services(request)
    takeover, officer = hub.takeover, session.officer
    action = request.match_info["action"]
    here, queue = f"/officer/requests/{handoff.id}", "/officer/"
    try:
        if action == "erase":
            notice = await _erase(request, hub, session, handoff, form)
            target = queue if notice == "erased" else here
        elif action == "take":
            notice = "taken" if await takeover.take(officer, handoff) else "taken_silent"
            target = here
        elif action == "reply":
            await takeover.reply(officer, handoff, str(form.get("text") or ""))
            notice, target = "sent", here
        elif action == "handback":
            await takeover.hand_back(officer, handoff)
            notice, target = "handed_back", queue
        else:
            await takeover.close(officer, handoff)
            notice, target = "closed", queue
    except TakeoverError as error:
        notice, target = error.code, here
    except RasaApiError:
        notice, target = "rasa_unavailable", here
    raise web.HTTPSeeOther(f"{target}?notice={notice}")
