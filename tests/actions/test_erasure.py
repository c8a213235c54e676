"""'Verwijder mijn gegevens' in the chat: a confirmation, then the web app's part, then the
conversation is marked for deletion; a failure deletes nothing and says so."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ActionHandleYesNo
from actions.erasure import ActionAskErasure
from bot.handoff.client import HandoffUnavailable
from tests.actions.helpers import make_tracker, slot_events


class FakeHandoff:
    def __init__(self, works: bool = True) -> None:
        self.works, self.erased = works, []

    async def erase_conversation(self, conversation_id: str) -> None:
        if not self.works:
            raise HandoffUnavailable("down")
        self.erased.append(conversation_id)


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return [m["response"] for m in dispatcher.messages], dispatcher.messages, events


async def test_the_owner_is_asked_before_anything_is_deleted():
    responses, _, events = await run(ActionAskErasure(), make_tracker(
        "verwijder mijn gegevens", "request_erasure"))
    assert responses == ["utter_erasure_confirm"]
    assert slot_events(events) == {"pending_offer": "erasure"}


async def test_yes_erases_and_tells_what_the_municipality_keeps(use_services):
    handoff = FakeHandoff()
    use_services(handoff=handoff)
    slots = {"pending_offer": "erasure",
             "dossier": {"reference": "OVL-2026-K7M4QX", "status": "ontvangen"}}
    responses, messages, events = await run(ActionHandleYesNo(), make_tracker(
        "ja", "affirm", slots=slots))
    assert responses == ["utter_erasure_done_dossier"]
    assert messages[0]["reference"] == "OVL-2026-K7M4QX"
    assert slot_events(events)["erase_conversation"] is True
    assert handoff.erased == ["test"]


async def test_yes_without_a_dossier_says_the_conversation_is_gone(use_services):
    use_services(handoff=FakeHandoff())
    responses, _, events = await run(ActionHandleYesNo(), make_tracker(
        "ja", "affirm", slots={"pending_offer": "erasure"}))
    assert responses == ["utter_erasure_done"]
    assert slot_events(events)["erase_conversation"] is True


async def test_when_the_web_app_is_down_nothing_is_deleted_and_the_owner_knows(use_services):
    use_services(handoff=FakeHandoff(works=False))
    responses, _, events = await run(ActionHandleYesNo(), make_tracker(
        "ja", "affirm", slots={"pending_offer": "erasure"}))
    assert responses == ["utter_erasure_failed"]
    assert "erase_conversation" not in slot_events(events)


async def test_no_keeps_everything(use_services):
    handoff = FakeHandoff()
    use_services(handoff=handoff)
    responses, _, events = await run(ActionHandleYesNo(), make_tracker(
        "nee", "deny", slots={"pending_offer": "erasure"}))
    assert responses == ["utter_erasure_cancelled"]
    assert handoff.erased == [] and "erase_conversation" not in slot_events(events)
