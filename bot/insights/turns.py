"""Turns from slimmed events (`events.slim_event`): one turn per user message, with what the
bot did in answer. Pure functions over a per-conversation state, so the consumer can keep the
state in the analytics database (restart safe) and the logic is tested on recorded events.

A turn opens with a `user` event and closes with the next `action_listen` (or a pause, or the
next user message, or `close_stale` when nothing followed for a while). Definitions:
  topic        the reply contract's topic of the turn (`bot.contract.merge_turn`: the last
               contract an action sent; context keys from the conversation's slots);
  nis          the conversation's municipality at the end of the turn;
  fell_back    the message was not understood (NLU fallback, out of scope, Rasa's default
               fallback) and the bot answered no topic and started no hand-off;
  clarified    the bot asked which of the likeliest meanings was meant;
  handoff      a hand-off asked in this turn: queued, callback or unavailable;
  dossier_started / dossier_submitted   the dossier type, when a dossier form was started or
               the dossier was submitted (also when it waits in the outbox) in this turn;
  response_ms  from the user message to the bot's first message;
  dossier_step the field a dossier form asks for at the end of the turn (its requested slot),
               so the last one of an abandoned dossier is the step where the owner stopped.
A `HandoffTaken` is emitted when an officer joins a handed-over conversation (the waiting time
is then its time minus the hand-off turn's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from bot.contract import merge_turn

FALLBACK_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
DEFAULT_FALLBACK_ACTION = "action_default_fallback"
CLARIFY_UTTERANCES = frozenset({"utter_clarify", "utter_clarify_no_options"})
SUBMITTED_UTTERANCES = frozenset({"utter_dossier_submitted", "utter_dossier_queued"})
HANDOFF_ACTION = "action_request_human"
HANDOFF_STATUSES = frozenset({"queued", "callback"})
FORM_SUFFIX = "_form"
CLOSING_ACTIONS = frozenset({"action_listen"})
CONTEXT_KEYS = ("municipality", "nis", "counter", "handoff", "dossier", "tenant", "dossier_type")


@dataclass(frozen=True)
class Turn:
    key: str
    conversation: str
    at: float
    day: str
    tenant: str | None = None
    nis: str | None = None
    municipality: str | None = None
    counter: str | None = None
    topic: str | None = None
    intent: str | None = None
    confidence: float | None = None
    fell_back: bool = False
    clarified: bool = False
    handoff: str | None = None
    handoff_ref: str | None = None
    dossier_started: str | None = None
    dossier_submitted: str | None = None
    dossier_ref: str | None = None
    channel: str | None = None
    response_ms: int | None = None
    to_officer: bool = False  # written while a person had the conversation (not the bot)
    text: str | None = None  # masked, only when the turn fell back outside a form
    messages: tuple[str, ...] = ()  # hashed ids of the bot's messages (to join feedback)
    dossier_form: str | None = None  # the dossier type of the form running at the turn's end
    dossier_step: str | None = None


@dataclass(frozen=True)
class HandoffOutcome:
    ref: str
    status: str


@dataclass(frozen=True)
class HandoffTaken:
    ref: str
    at: float


@dataclass
class ConversationState:
    context: dict[str, Any] = field(default_factory=dict)
    active_loop: str | None = None
    paused: bool = False  # handed over to a person: messages go to the officer, not the bot
    pending: list[dict[str, Any]] = field(default_factory=list)  # slimmed events of the open turn
    pending_key: str | None = None
    last_ts: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {"context": self.context, "active_loop": self.active_loop,
                "paused": self.paused, "pending": self.pending, "pending_key": self.pending_key,
                "last_ts": self.last_ts}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> ConversationState:
        if not data:
            return cls()
        return cls(context=dict(data.get("context") or {}),
                   active_loop=data.get("active_loop"), paused=bool(data.get("paused")),
                   pending=list(data.get("pending") or []),
                   pending_key=data.get("pending_key"), last_ts=data.get("last_ts"))


Output = Turn | HandoffOutcome | HandoffTaken


def local_day(ts: float, zone: str) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).astimezone(ZoneInfo(zone)).date().isoformat()


def apply_event(state: ConversationState, key: str, event: Mapping[str, Any], *,
                tenant: str, zone: str) -> list[Output]:
    """Feed one slimmed event; returns the turns it closed and hand-off outcomes it revealed.
    Mutates `state`."""
    outputs: list[Output] = []
    kind = event["event"]
    if event.get("ts") is not None:
        state.last_ts = event["ts"]
    if kind == "slot" and event.get("name") == "handoff_officer" and event.get("value"):
        handoff = state.context.get("handoff")
        if isinstance(handoff, Mapping) and handoff.get("ref") and event.get("ts") is not None:
            outputs.append(HandoffTaken(str(handoff["ref"]), float(event["ts"])))
    if kind == "user":
        outputs += close_turn(state, tenant=tenant, zone=zone)
        user = {**event, "active_loop": state.active_loop, "paused": state.paused}
        if state.active_loop or state.paused:
            user["text"] = None  # a form's answer or a message to a person: never kept
        state.pending = [user]
        state.pending_key = key
        return outputs
    if state.pending:
        state.pending.append(dict(event))
    else:
        outputs += _outside_turn(state, event)
    if (kind == "action" and event.get("name") in CLOSING_ACTIONS) or kind == "pause":
        outputs += close_turn(state, tenant=tenant, zone=zone)
    elif kind == "restart":
        outputs += close_turn(state, tenant=tenant, zone=zone)
        state.context, state.active_loop, state.paused = {}, None, False
    if kind in ("pause", "resume"):
        state.paused = kind == "pause"
    return outputs


def _outside_turn(state: ConversationState, event: Mapping[str, Any]) -> list[Output]:
    """Events without a user message (an officer closing a hand-off, a reminder): they only
    change the context."""
    outputs: list[Output] = []
    if event["event"] == "slot":
        outputs += _handoff_outcome(state.context.get("handoff"), event)
        state.context[event["name"]] = event.get("value")
    elif event["event"] == "active_loop":
        state.active_loop = event.get("name")
    return outputs


def _handoff_outcome(previous: Any, event: Mapping[str, Any]) -> list[Output]:
    value = event.get("value")
    if event.get("name") != "handoff" or not isinstance(value, Mapping):
        return []
    ref, status = value.get("ref"), value.get("status")
    if ref and isinstance(status, str) and isinstance(previous, Mapping) and \
            previous.get("ref") == ref and previous.get("status") != status:
        return [HandoffOutcome(ref, status)]
    return []


def close_stale(state: ConversationState, now: float, after_seconds: float, *, tenant: str,
                zone: str) -> list[Output]:
    """Close an open turn nothing was added to for `after_seconds` (a paused conversation)."""
    if state.pending and state.last_ts is not None and now - state.last_ts >= after_seconds:
        return close_turn(state, tenant=tenant, zone=zone)
    return []


def close_turn(state: ConversationState, *, tenant: str, zone: str) -> list[Output]:
    if not state.pending or state.pending_key is None:
        state.pending, state.pending_key = [], None
        return []
    user, rest = state.pending[0], state.pending[1:]
    state.pending, key = [], state.pending_key
    state.pending_key = None
    outputs: list[Output] = []
    customs: list[Mapping[str, Any]] = []
    utterances: list[str] = []
    actions: list[str] = []
    messages: list[str] = []
    first_bot: float | None = None
    dossier_started = dossier_submitted = dossier_ref = None
    handoff_set: Mapping[str, Any] | None = None
    for event in rest:
        kind = event["event"]
        if kind == "bot":
            if first_bot is None and event.get("ts") is not None:
                first_bot = event["ts"]
            if event.get("message"):
                messages.append(event["message"])
            if event.get("utter"):
                utterances.append(event["utter"])
            custom = event.get("custom")
            if isinstance(custom, Mapping):
                customs.append(custom)
            if event.get("utter") in SUBMITTED_UTTERANCES and isinstance(custom, Mapping):
                found = custom.get("dossier")
                dossier: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
                dossier_submitted = dossier.get("type") or state.context.get("dossier_type") \
                    or "unknown"
                dossier_ref = dossier.get("ref")
        elif kind == "action" and event.get("name"):
            actions.append(event["name"])
        elif kind == "slot":
            outputs += _handoff_outcome(state.context.get("handoff"), event)
            state.context[event["name"]] = event.get("value")
            if event["name"] == "handoff":
                handoff_set = event.get("value") if isinstance(event.get("value"),
                                                               Mapping) else None
        elif kind == "active_loop":
            name = event.get("name")
            dossier_type = state.context.get("dossier_type")
            if name and name != state.active_loop and dossier_type and \
                    name == f"{dossier_type}{FORM_SUFFIX}":
                dossier_started = dossier_type
            state.active_loop = name
    context = state.context
    contract = merge_turn({k: context.get(k) for k in CONTEXT_KEYS}, customs)
    handoff = None
    handoff_ref = None
    if HANDOFF_ACTION in actions and handoff_set is not None:
        status = handoff_set.get("status")
        handoff = status if status in HANDOFF_STATUSES else "unavailable"
        handoff_ref = handoff_set.get("ref")
    topic = contract.get("topic") if isinstance(contract.get("topic"), str) else None
    intent = user.get("intent")
    to_officer = bool(user.get("paused"))
    clarified = any(u in CLARIFY_UTTERANCES for u in utterances)
    # Inside a running form the classifier's intent says little: "Jan Peeters" is an answer
    # the form takes, not a question nobody answered. There only a fallback or a clarification
    # the bot really gave counts.
    in_form = bool(user.get("active_loop"))
    fell_back = not to_officer and (
        DEFAULT_FALLBACK_ACTION in actions
        or (in_form and clarified)
        or (not in_form and intent in FALLBACK_INTENTS and topic is None and handoff is None))
    at = float(user.get("ts") or state.last_ts or 0.0)
    response_ms = None
    if first_bot is not None and user.get("ts") is not None:
        response_ms = max(0, round((first_bot - user["ts"]) * 1000))
    nis = contract.get("nis") if isinstance(contract.get("nis"), str) else None
    form_type = context.get("dossier_type")
    step = context.get("requested_slot") if form_type and \
        state.active_loop == f"{form_type}{FORM_SUFFIX}" else None
    outputs.append(Turn(
        key=key, conversation=user["conversation"], at=at, day=local_day(at, zone),
        tenant=context.get("tenant") if isinstance(context.get("tenant"), str) else tenant,
        nis=nis,
        municipality=contract.get("municipality") if isinstance(contract.get("municipality"),
                                                                str) else None,
        counter=contract.get("counter") if isinstance(contract.get("counter"), str) else None,
        topic=topic, intent=intent, confidence=user.get("confidence"), fell_back=fell_back,
        clarified=clarified,
        handoff=handoff, handoff_ref=handoff_ref, dossier_started=dossier_started,
        dossier_submitted=dossier_submitted, dossier_ref=dossier_ref,
        channel=user.get("channel"), response_ms=response_ms,
        text=user.get("text") if fell_back and not user.get("active_loop") else None,
        to_officer=to_officer,
        messages=tuple(messages),
        dossier_form=form_type if isinstance(step, str) else None,
        dossier_step=step if isinstance(step, str) else None))
    return outputs
