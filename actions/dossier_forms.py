"""Validation actions of the dossier forms: every message of the owner while a form is open goes
through bot/dossiers/intake/form_flow.py; this module only translates its decision into Rasa events.

Returning no slot at all rejects the form for this message (a question in between): Rasa then
answers it with its normal rules and comes back to the form, which asks its question again."""

from __future__ import annotations

import abc
import asyncio
import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.dossier_common import activated_now, fresh_answer, intake, message_from, spec_for
from actions.location import Location, locate, say_location_problem
from actions.services import services
from bot.dossiers.intake.form_flow import Context, Step, answer, resume
from bot.dossiers.intake.forms import CONFIRM
from bot.validators import today_in_brussels

logger = logging.getLogger(__name__)
REQUESTED = "requested_slot"
# Rasa asks each slot with `utter_ask_<slot>` (or `utter_ask_<form>_<slot>`) itself; the form
# questions live in domain/dossiers.yml. Checked by tests/actions/test_dossier_forms.py.
ASKED_BY_RASA = (
    "utter_ask_dossier_nis", "utter_ask_evenementenvergunning_form_dossier_nis",
    "utter_ask_ambulante_handel_form_dossier_nis", "utter_ask_algemene_vraag_form_dossier_nis",
    "utter_ask_dossier_business_name", "utter_ask_dossier_address",
    "utter_ask_inname_openbaar_domein_form_dossier_address", "utter_ask_dossier_period",
    "utter_ask_evenementenvergunning_form_dossier_period",
    "utter_ask_ambulante_handel_form_dossier_period", "utter_ask_dossier_surface",
    "utter_ask_terrasvergunning_form_dossier_surface", "utter_ask_dossier_description",
    "utter_ask_algemene_vraag_form_dossier_description", "utter_ask_dossier_event_name",
    "utter_ask_dossier_location", "utter_ask_ambulante_handel_form_dossier_location",
    "utter_ask_dossier_expected_visitors", "utter_ask_dossier_purpose",
    "utter_ask_dossier_sign_description", "utter_ask_dossier_sign_dimensions",
    "utter_ask_dossier_products", "utter_ask_dossier_opening_date", "utter_ask_dossier_takeover",
    "utter_ask_dossier_applicant_name", "utter_ask_dossier_enterprise_number",
    "utter_ask_dossier_email", "utter_ask_dossier_phone",
)
# Replies form_flow names by building `utter_dossier_invalid_<code>`; listed so the domain check
# (scripts/validate_data.py) and the tests see every one of them.
INVALID_REPLIES = (
    "utter_dossier_invalid_municipality_unknown", "utter_dossier_invalid_text_too_short",
    "utter_dossier_invalid_text_too_long", "utter_dossier_invalid_name_empty",
    "utter_dossier_invalid_name_too_short", "utter_dossier_invalid_name_too_long",
    "utter_dossier_invalid_name_no_letters", "utter_dossier_invalid_name_format",
    "utter_dossier_invalid_enterprise_number_empty",
    "utter_dossier_invalid_enterprise_number_format",
    "utter_dossier_invalid_enterprise_number_length",
    "utter_dossier_invalid_enterprise_number_first_digit",
    "utter_dossier_invalid_enterprise_number_checksum", "utter_dossier_invalid_email_empty",
    "utter_dossier_invalid_email_format", "utter_dossier_invalid_email_domain",
    "utter_dossier_invalid_phone_empty", "utter_dossier_invalid_phone_format",
    "utter_dossier_invalid_phone_not_belgian", "utter_dossier_invalid_phone_length",
    "utter_dossier_invalid_surface_empty", "utter_dossier_invalid_surface_format",
    "utter_dossier_invalid_surface_not_positive", "utter_dossier_invalid_surface_too_large",
    "utter_dossier_invalid_count_empty", "utter_dossier_invalid_count_format",
    "utter_dossier_invalid_count_not_positive", "utter_dossier_invalid_date_empty",
    "utter_dossier_invalid_date_unrecognised", "utter_dossier_invalid_date_invalid",
    "utter_dossier_invalid_date_weekday_mismatch", "utter_dossier_invalid_date_in_past",
    "utter_dossier_invalid_date_today_not_allowed", "utter_dossier_invalid_date_too_far",
    "utter_dossier_invalid_period_end_before_start", "utter_dossier_invalid_reference_format",
    "utter_dossier_field_reopened", "utter_dossier_field_updated",
    "utter_dossier_value_missing", "utter_dossier_confirm_unclear",
    "utter_dossier_edit_field_unknown",
)


class SafeFormValidation(SafeAction, abc.ABC):
    """A validation action that never leaves the owner stuck: on a failure it apologises and
    the form asks its current question again (instead of Rasa's silent rejection)."""

    deadline_seconds = 4.0

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            services().dossiers.wake()
            return await asyncio.wait_for(self.perform(dispatcher, tracker, domain),
                                          timeout=self.deadline_seconds)
        except Exception as error:  # includes asyncio.TimeoutError
            logger.error("validation %s failed: %s", self.name(), type(error).__name__,
                         exc_info=not isinstance(error, asyncio.TimeoutError))
            dispatcher.messages.clear()
            dispatcher.utter_message(response="utter_technical_problem")
            requested = tracker.get_slot(REQUESTED)
            return [SlotSet(requested, tracker.get_slot(requested)),
                    SlotSet(REQUESTED, requested)] if requested else []


def step_events(dispatcher: CollectingDispatcher, step: Step,
                location: Location | None) -> list[EventType]:
    if step.reject:
        return []
    if step.location_problem and location is not None:
        say_location_problem(dispatcher, location)
    for response, variables in step.replies:
        dispatcher.utter_message(response=response, **variables)
    events: list[EventType] = [SlotSet(slot, value) for slot, value in step.slots.items()]
    if location is not None and step.slots.get("dossier_nis"):
        events = [*location.events, *events]
    if step.stop:
        # A real slot must change, or Rasa takes the message as "not for the form".
        return [*events, SlotSet(CONFIRM, None), SlotSet(REQUESTED, None)]
    requested = step.requested
    # The requested slot is set even when it does not change: a SlotSet tells Rasa the message
    # was handled (an answer, a wrong answer or a correction), so the form is not rejected.
    if requested is not None and requested not in step.slots:
        events.append(SlotSet(requested, None))
    return [*events, SlotSet(REQUESTED, requested)]


class ValidateDossierForm(SafeFormValidation, abc.ABC):
    @property
    @abc.abstractmethod
    def dossier_type(self) -> str:
        """The dossier type of the form (a class attribute in each subclass)."""

    def name(self) -> str:
        return f"validate_{self.dossier_type}_form"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        spec = spec_for(domain, self.dossier_type)
        if spec is None:
            raise LookupError(f"no form for {self.dossier_type} in the domain")
        location: Location | None = None

        def municipality() -> tuple[str, str | None]:
            nonlocal location
            location = locate(tracker)
            return location.status, location.nis

        context = Context(spec, dict(tracker.slots), intake(), today_in_brussels(), municipality)
        requested = tracker.get_slot(REQUESTED)
        if activated_now(tracker, spec.form):
            step = resume(context)
        elif not fresh_answer(tracker, spec.form):
            step = resume(context, requested)
        else:
            step = answer(context, requested, message_from(tracker))
        return step_events(dispatcher, step, location)


class ValidateTerrasvergunningForm(ValidateDossierForm):
    dossier_type = "terrasvergunning"


class ValidateEvenementenvergunningForm(ValidateDossierForm):
    dossier_type = "evenementenvergunning"


class ValidateInnameOpenbaarDomeinForm(ValidateDossierForm):
    dossier_type = "inname_openbaar_domein"


class ValidateAmbulanteHandelForm(ValidateDossierForm):
    dossier_type = "ambulante_handel"


class ValidateReclameUithangbordForm(ValidateDossierForm):
    dossier_type = "reclame_uithangbord"


class ValidateHorecaUitbatingForm(ValidateDossierForm):
    dossier_type = "horeca_uitbating"


class ValidateAlgemeneVraagForm(ValidateDossierForm):
    dossier_type = "algemene_vraag"
