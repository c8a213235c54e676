"""What the call-back question (handoff_contact_form: "on which phone number or e-mail address
may the counter contact you?") does with one message of the owner, independent of Rasa.

The question is optional and leaves the owner out the way the dossier forms do, with the same
words (content/dossier_forms.yml through bot/dossiers/intake): a phone number or e-mail address
anywhere in the message is the answer; "stop", "nee", "liever niet" or "overslaan" leave no
details; "ja" asks for them; a request for a person hears again why it is a call-back;
"terug" has no earlier question; a question about a topic is left to Rasa, after which the
question comes again. Responses are named, never written here.
"""

from __future__ import annotations

from bot.dossiers.intake.form_flow import (
    Message,
    Step,
    asks_something_else,
    back_step,
    says_yes,
    skips,
    wants_person,
    wants_stop,
)
from bot.dossiers.intake.forms import SKIPPED
from bot.dossiers.intake.words import IntakeWords, field_label, wants_back
from bot.handoff.contact import parse_contact

SLOT = "handoff_contact"
DECLINED = SKIPPED  # the slot's value when the owner leaves no details
# Why nobody joins live: the call-back message again (the action adds the counter and reference).
CALLBACK_AGAIN = "utter_handoff_callback"


def declined(value: object) -> bool:
    return value == DECLINED


def answer(message: Message, words: IntakeWords) -> Step:
    """The owner's reply to the call-back question."""
    contact = None if message.is_payload else parse_contact(message.text)
    if contact is not None:
        return Step({SLOT: contact.value})
    if wants_stop(message, words, optional=True) or skips(message, words):
        return Step({SLOT: DECLINED})
    if wants_person(message, words):
        return Step(replies=[(CALLBACK_AGAIN, {})], requested=SLOT)
    if not message.is_payload and wants_back(message.text, words):
        return back_step((SLOT,), SLOT, {}, lambda slot: field_label(words, slot),
                         lambda slot, value: str(value))
    if says_yes(message, words):
        return Step(replies=[("utter_dossier_optional_go_ahead", {})], requested=SLOT)
    if asks_something_else(message, words):
        return Step(reject=True)
    return Step(replies=[("utter_handoff_contact_invalid", {})], requested=SLOT)
