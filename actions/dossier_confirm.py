"""The last questions of every dossier form: the summary with its explicit confirmation, and
which field the owner wants to change."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.dossier_common import (
    intake,
    municipality_name,
    route_dossier,
    spec_for,
    type_title,
)
from actions.services import services
from bot.contract import contract_from_slots
from bot.dossiers.intake.forms import MUNICIPALITY, TYPE_SLOT, filled
from bot.dossiers.intake.summary import summary_text


class ActionAskDossierConfirmed(SafeAction):
    """Asks `dossier_confirmed`: everything the owner gave, for which counter, and 'klopt dit?'."""

    def name(self) -> str:
        return "action_ask_dossier_confirmed"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dossier_type = tracker.get_slot(TYPE_SLOT)
        spec = spec_for(domain, dossier_type)
        if spec is None:
            raise LookupError(f"no form for dossier type {dossier_type!r}")
        counter = route_dossier(spec.dossier_type, tracker.get_slot(MUNICIPALITY)).counter
        summary = summary_text(spec, tracker.slots, intake(), services().locale.get("months", []),
                               municipality_name)
        dispatcher.utter_message(response="utter_dossier_summary",
                                 type_title=type_title(spec.dossier_type),
                                 counter_name=counter.name, summary=summary,
                                 json_message=contract_from_slots(tracker.slots))
        return []


class ActionAskDossierEditField(SafeAction):
    """Asks `dossier_edit_field`: one button per answer given, and 'nothing, all is fine'."""

    def name(self) -> str:
        return "action_ask_dossier_edit_field"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        spec = spec_for(domain, tracker.get_slot(TYPE_SLOT))
        if spec is None:
            raise LookupError("no dossier form is open")
        words = intake()
        buttons = [
            {"title": (words.fields.get(slot) or {}).get("label", slot),
             "payload": f'/correct_dossier{{"dossier_field":"{slot}"}}'}
            for slot in filled(spec, tracker.slots)
        ]
        buttons.append({"title": words.buttons["nothing_to_change"], "payload": "/affirm"})
        dispatcher.utter_message(response="utter_dossier_edit_field", buttons=buttons)
        return []
