"""Base class for our actions: a hard deadline and a Dutch apology instead of a crash.

Rasa answers nothing when an action raises, and waits for a hung one; here every action either
finishes within its deadline or tells the owner something went wrong, without leaking details.
"""

from __future__ import annotations

import abc
import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.contract import contract_from_slots

logger = logging.getLogger(__name__)


def deadline(seconds: float) -> float:
    """A deadline written for Rasa's default action time-out (6 s), plus what a longer one
    (ACTION_TIMEOUT_SECONDS, 15 s in the production profile) leaves: on a busy machine an
    action is slow, not broken, and Rasa still waits for it."""
    from actions.services import services  # the services import the actions' modules

    return seconds + services().settings.deadline_slack_seconds


class SafeAction(Action, abc.ABC):
    deadline_seconds: float = 4.0

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @abc.abstractmethod
    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """What the action does; may raise or hang, `run` takes care of the owner."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            return await asyncio.wait_for(
                self.perform(dispatcher, tracker, domain), timeout=deadline(self.deadline_seconds)
            )
        except Exception as error:  # includes asyncio.TimeoutError
            # Log the kind of failure only: tracker contents may hold personal data.
            logger.error("action %s failed: %s", self.name(), type(error).__name__,
                         exc_info=not isinstance(error, asyncio.TimeoutError))
            dispatcher.messages.clear()
            dispatcher.utter_message(
                response="utter_technical_problem",
                json_message=contract_from_slots(tracker.slots),
            )
            return []
