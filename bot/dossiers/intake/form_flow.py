"""What a dossier form does with one message of the owner, independent of Rasa.

The answer to the question asked is validated (a specific Dutch explanation and the question
again when it is wrong); the owner may skip optional questions, name a field to correct it, stop,
or ask something else in between: then the form steps aside (`reject`) and Rasa answers the
question, after which the form asks its question again. Responses are named, never written here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.dossiers.intake.forms import (
    CONFIRM,
    EDIT,
    SKIPPED,
    SLOT_KINDS,
    SUBMISSION_KEY,
    FormSpec,
    filled,
    missing,
)
from bot.dossiers.intake.words import (
    IntakeWords,
    asks_for_person,
    field_label,
    looks_like_question,
    mentioned_field,
    parse_count,
    phrase_is,
    prefill_values,
    wants_back,
    wants_correction,
)
from bot.validators import (
    ErrorCode,
    Invalid,
    Valid,
    ValidationResult,
    parse_date,
    parse_period,
    validate_email,
    validate_enterprise_number,
    validate_name,
    validate_phone,
    validate_surface,
)

MIN_TEXT, MAX_TEXT = 2, 2000
SURE, LIKELY = 0.8, 0.5
# Intents that, said with confidence, are never an answer to a form question.
STEP_ASIDE_INTENTS = frozenset({
    "request_human", "express_frustration", "request_restart", "ask_dossier_status",
    "start_dossier", "bot_challenge", "ask_capabilities", "greet", "thank", "goodbye",
})
# Intents of messages that answer the form (or steer it), never questions in between.
ANSWER_INTENTS = frozenset({"inform", "inform_municipality", "affirm", "deny", "stop_form",
                            "correct_dossier"})
FREE_TEXT_KINDS = frozenset({"text", "name"})
Reply = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Message:
    text: str
    intent: str | None = None
    confidence: float = 0.0
    entities: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_payload(self) -> bool:
        return self.text.startswith("/")

    def said(self, intent: str, confidence: float = LIKELY) -> bool:
        return self.intent == intent and (self.is_payload or self.confidence >= confidence)


@dataclass
class Step:
    slots: dict[str, Any] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    requested: str | None = None
    reject: bool = False  # not an answer: let Rasa handle the message, then ask again
    stop: bool = False  # end the form, submit nothing
    location_problem: bool = False  # the place named was ambiguous or outside Flanders


@dataclass(frozen=True)
class Context:
    spec: FormSpec
    values: Mapping[str, Any]
    words: IntakeWords
    today: date
    # (status, nis) for the municipality named in the message: found | ambiguous |
    # outside_flanders | none
    municipality: Callable[[], tuple[str, str | None]]
    # how an answer is shown to the owner (the summary's wording), for "terug"
    describe: Callable[[str, Any], str] = lambda slot, value: str(value)


def invalid_reply(code: ErrorCode) -> Reply:
    return (f"utter_dossier_invalid_{code}", {})


def _continue(ctx: Context, slots: Mapping[str, Any], replies: list[Reply] | None = None) -> Step:
    values = {**ctx.values, **slots}
    return Step(dict(slots), replies or [], requested=missing(ctx.spec, values))


def resume(ctx: Context, requested: str | None = None) -> Step:
    """Ask the next question again (after activation or an interruption)."""
    if requested == EDIT:
        return Step(requested=EDIT)
    return Step(requested=missing(ctx.spec, ctx.values))


def steps_aside(message: Message, words: IntakeWords) -> bool:
    """A question or request for something else rather than an answer: a confident request
    for something else, or anything phrased as a question that is not classified as an answer
    (also when the classifier is unsure, then Rasa's clarification takes it)."""
    intent = message.intent or ""
    if message.is_payload:
        return intent in STEP_ASIDE_INTENTS or intent.startswith("ask_")
    if intent in STEP_ASIDE_INTENTS and message.confidence >= SURE:
        return True
    return intent not in ANSWER_INTENTS and looks_like_question(message.text, words)


def wants_person(message: Message, words: IntakeWords) -> bool:
    """A request for a person ends any form: the owner is handed over, as at a counter."""
    return message.said("request_human", SURE) or (
        not message.is_payload and asks_for_person(message.text, words))


def wants_stop(message: Message, words: IntakeWords, optional: bool) -> bool:
    if message.said("stop_form", SURE) or phrase_is(message.text, "stop", words):
        return True
    return not optional and phrase_is(message.text, "soft_stop", words)


def skips(message: Message, words: IntakeWords) -> bool:
    """"nee", "liever niet", "overslaan", "laat maar": no answer to an optional question."""
    return (message.said("deny") or phrase_is(message.text, "skip", words)
            or phrase_is(message.text, "soft_stop", words))


def says_yes(message: Message, words: IntakeWords) -> bool:
    return message.said("affirm") or phrase_is(message.text, "yes", words)


def asks_something_else(message: Message, words: IntakeWords) -> bool:
    """Not an answer that failed, but a question about something else (a topic): a confident
    `ask_*` intent or a message that steps aside."""
    sure_question = message.confidence >= SURE and (message.intent or "").startswith("ask_")
    return sure_question or steps_aside(message, words)


def _no(message: Message, words: IntakeWords) -> bool:
    return message.said("deny") or phrase_is(message.text, "no", words)


def parse_value(kind: str, text: str, today: date) -> ValidationResult[Any]:
    value = text.strip()
    if kind == "name":
        return validate_name(value)
    if kind == "enterprise_number":
        return validate_enterprise_number(value)
    if kind == "email":
        return validate_email(value)
    if kind == "phone":
        return validate_phone(value)
    if kind == "surface":
        return validate_surface(value)
    if kind == "count":
        return parse_count(value)
    if kind == "period":
        period = parse_period(value, today)
        return Valid(period.value.as_dict()) if isinstance(period, Valid) else period
    if kind == "date":
        day = parse_date(value, today)
        return Valid(day.value.isoformat()) if isinstance(day, Valid) else day
    if len(value) < MIN_TEXT or not any(ch.isalnum() for ch in value):
        return Invalid("text_too_short")
    if len(value) > MAX_TEXT:
        return Invalid("text_too_long")
    return Valid(value)


def _field_named(ctx: Context, message: Message, exclude: str | None) -> str | None:
    candidates = [slot for slot in filled(ctx.spec, ctx.values) if slot != exclude]
    named = message.entities.get("dossier_field")
    if named in candidates:
        return str(named)
    return mentioned_field(message.text, ctx.words, candidates)


def _reopen(ctx: Context, slot: str, message: Message) -> Step:
    """Correct one field: take a new value from the message when it has one, else ask again."""
    found = prefill_values(message.text, ctx.words, ctx.today).get(slot)
    if found is not None:
        return _continue(ctx, {slot: found}, [("utter_dossier_field_updated", {})])
    step = Step({slot: None, CONFIRM: None}, [("utter_dossier_field_reopened", {})])
    step.requested = slot
    return step


def _confirm(ctx: Context, message: Message) -> Step:
    # "ja, maar het adres klopt niet" is a correction, not a confirmation.
    slot = _field_named(ctx, message, None)
    if slot is not None and not phrase_is(message.text, "yes", ctx.words):
        return _reopen(ctx, slot, message)
    if says_yes(message, ctx.words):
        # The idempotency key is fixed before any network call: a retry never duplicates.
        key = ctx.values.get(SUBMISSION_KEY) or uuid.uuid4().hex
        return Step({CONFIRM: True, SUBMISSION_KEY: key}, requested=None)
    if message.said("correct_dossier") or _no(message, ctx.words):
        return Step(requested=EDIT)
    if steps_aside(message, ctx.words):
        return Step(reject=True)
    return Step(replies=[("utter_dossier_confirm_unclear", {})], requested=CONFIRM)


def _edit(ctx: Context, message: Message) -> Step:
    slot = _field_named(ctx, message, None)
    if slot is not None:
        return _reopen(ctx, slot, message)
    if says_yes(message, ctx.words) or _no(message, ctx.words):
        return Step(requested=CONFIRM)
    if steps_aside(message, ctx.words):
        return Step(reject=True)
    return Step(replies=[("utter_dossier_edit_field_unknown", {})], requested=EDIT)


def _correction(ctx: Context, message: Message, requested: str) -> Step | None:
    """"Mijn e-mailadres klopt niet" while another question is open."""
    kind = SLOT_KINDS.get(requested)
    explicit = message.said("correct_dossier", SURE)
    if not explicit and (kind in FREE_TEXT_KINDS or not wants_correction(message.text, ctx.words)):
        return None
    slot = _field_named(ctx, message, requested)
    if slot is not None:
        return _reopen(ctx, slot, message)
    return Step(requested=EDIT) if explicit else None


def _municipality(ctx: Context, message: Message) -> Step:
    status, nis = ctx.municipality()
    if status == "found" and nis:
        return _continue(ctx, {"dossier_nis": nis})
    if status in ("ambiguous", "outside_flanders"):
        return Step(requested="dossier_nis", location_problem=True)
    if steps_aside(message, ctx.words):
        return Step(reject=True)
    return Step(replies=[invalid_reply("municipality_unknown")], requested="dossier_nis")


def back_step(fields: Sequence[str], requested: str | None, values: Mapping[str, Any],
              label: Callable[[str], str], describe: Callable[[str, Any], str]) -> Step:
    """"terug" in any form: the question before the open one again, with the answer given
    there; at the first question, that there is none before it, and the same question again."""
    before = fields[:fields.index(requested)] if requested in fields else fields
    answered = [slot for slot in before if values.get(slot) is not None]
    if not answered:
        return Step(replies=[("utter_dossier_back_first", {})], requested=requested)
    slot = answered[-1]
    shown = describe(slot, values.get(slot))
    step = Step({slot: None}, [("utter_dossier_back", {"label": label(slot), "value": shown})])
    step.requested = slot
    return step


def _back(ctx: Context, requested: str | None) -> Step:
    step = back_step(ctx.spec.fields, requested, ctx.values,
                     lambda slot: field_label(ctx.words, slot, ctx.spec.dossier_type),
                     ctx.describe)
    if step.slots:  # an earlier answer is open again: the summary is confirmed anew
        step.slots[CONFIRM] = None
    return step


def answer(ctx: Context, requested: str | None, message: Message) -> Step:
    """What to do with the owner's message while `requested` is the open question."""
    optional = requested in ctx.spec.optional
    if wants_stop(message, ctx.words, optional) or wants_person(message, ctx.words):
        return Step(stop=True)
    if not message.is_payload and wants_back(message.text, ctx.words):
        return _back(ctx, requested)
    if requested == CONFIRM:
        return _confirm(ctx, message)
    if requested == EDIT:
        return _edit(ctx, message)
    if requested is None or requested not in SLOT_KINDS:
        return resume(ctx)
    correction = _correction(ctx, message, requested)
    if correction is not None:
        return correction
    if optional and skips(message, ctx.words):
        return _continue(ctx, {requested: SKIPPED})
    if optional and phrase_is(message.text, "yes", ctx.words):
        # "ja" to "wil je nog iets meegeven?": they want to, so ask for it, not for a yes.
        return Step(replies=[("utter_dossier_optional_go_ahead", {})], requested=requested)
    kind = SLOT_KINDS[requested]
    if kind == "municipality":
        return _municipality(ctx, message)
    if message.is_payload:
        return Step(reject=True) if steps_aside(message, ctx.words) else \
            Step(replies=[("utter_dossier_value_missing", {})], requested=requested)
    result = parse_value(kind, message.text, ctx.today)
    if isinstance(result, Valid):
        if requested in ctx.spec.question_slots:
            aside = message.intent in STEP_ASIDE_INTENTS and message.confidence >= SURE
        else:
            aside = kind in FREE_TEXT_KINDS and steps_aside(message, ctx.words)
        if aside:
            return Step(reject=True)
        if kind in FREE_TEXT_KINDS and (says_yes(message, ctx.words) or _no(message, ctx.words)):
            return Step(replies=[("utter_dossier_value_missing", {})], requested=requested)
        return _continue(ctx, {requested: result.value})
    if asks_something_else(message, ctx.words):
        return Step(reject=True)
    return Step(replies=[invalid_reply(result.code)], requested=requested)
