"""What the status check (dossier_status_form: the reference, then the e-mail address used as
verification) does with one message of the owner, independent of Rasa.

It leaves the owner out the way the dossier intake does (bot/dossiers/intake/form_flow.py, the
same words and rules): a request for a person or "stop" ends it, a question about a topic is
left to Rasa (then the same question again), "terug" goes back one question. "liever niet" or
"nee" to a question the check cannot do without ends it too: nothing is lost, nothing is looked
up. Responses are named, never written here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.dossiers.intake.form_flow import (
    Message,
    Step,
    asks_something_else,
    back_step,
    invalid_reply,
    skips,
    wants_person,
    wants_stop,
)
from bot.dossiers.intake.words import IntakeWords, field_label, find_reference, wants_back
from bot.validators import ErrorCode, Valid, validate_email

REFERENCE = "dossier_status_reference"
EMAIL = "dossier_status_email"
FIELDS = (REFERENCE, EMAIL)  # in asking order


def reference_in(message: Message) -> str | None:
    """The reference from the entity, the button's payload or the text (`ovl-2026-k7m4qx` too)."""
    return find_reference(str(message.entities.get("reference") or "")) or \
        find_reference(message.text)


def email_in(text: str) -> str | None:
    """A valid e-mail address anywhere in the text ("mijn mail is lotte@voorbeeld.be")."""
    for word in (text or "").replace(",", " ").split():
        result = validate_email(word.strip(".;:!?()<>"))
        if isinstance(result, Valid):
            return result.value
    return None


def next_question(values: Mapping[str, Any]) -> str | None:
    return next((slot for slot in FIELDS if values.get(slot) is None), None)


def _ask(values: Mapping[str, Any], given: dict[str, Any]) -> Step:
    return Step(given, requested=next_question({**values, **given}))


def ended() -> Step:
    """Nothing (more) to ask: the answers are forgotten, the form closes."""
    return Step({REFERENCE: None, EMAIL: None}, stop=True)


def opening(message: Message, own_reference: str | None, pending: bool) -> Step:
    """What the question that starts the check already contains; a submission still waiting
    in the outbox (`pending`) is reported at once, without asking anything."""
    reference = reference_in(message)
    if reference is None and pending:
        return ended()
    return _ask({}, {REFERENCE: reference or own_reference, EMAIL: email_in(message.text)})


def answer(requested: str | None, values: Mapping[str, Any], message: Message,
           words: IntakeWords) -> Step:
    """What to do with the owner's message while `requested` is the open question."""
    if wants_stop(message, words, optional=False) or wants_person(message, words):
        return ended()
    if requested not in FIELDS:
        return _ask(values, {})
    if not message.is_payload and wants_back(message.text, words):
        return back_step(FIELDS, requested, values, lambda slot: field_label(words, slot),
                         lambda slot, value: str(value))
    code: ErrorCode
    if requested == REFERENCE:
        reference = reference_in(message)
        if reference:
            return _ask(values, {REFERENCE: reference})
        code = "reference_format"
    else:
        result = validate_email(message.text.strip())
        if isinstance(result, Valid):
            return _ask(values, {EMAIL: result.value})
        email = email_in(message.text)
        if email:
            return _ask(values, {EMAIL: email})
        code = result.code
    if skips(message, words):
        return ended()
    if asks_something_else(message, words):
        return Step(reject=True)
    return Step(replies=[invalid_reply(code)], requested=requested)
