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

from actions.base import SafeAction, deadline
from actions.dossier_common import (
    activated_now,
    fresh_answer,
    intake,
    message_from,
    municipality_name,
    spec_for,
)
from actions.location import Location, locate, say_location_problem
from actions.services import services
from bot.dossiers.intake.form_flow import Context, Step, answer, resume
from bot.dossiers.intake.forms import CONFIRM
from bot.dossiers.intake.summary import format_value
from bot.validators import today_in_brussels

logger = logging.getLogger(__name__)
REQUESTED = "requested_slot"


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
                                          timeout=deadline(self.deadline_seconds))
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

        def describe(slot: str, value: Any) -> str:
            return format_value(slot, value, intake(), services().locale.get("months", []),
                                municipality_name)

        context = Context(spec, dict(tracker.slots), intake(), today_in_brussels(), municipality,
                          describe)
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
