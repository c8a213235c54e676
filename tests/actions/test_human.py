"""Hand-off actions: queue (bot pauses), call-back (contact form), service down (contact
details, never a crash), and the notices when an officer joins or hands back."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import human
from actions.conversation import ActionHandleYesNo
from actions.handoff_contact import (
    ActionHandoffContactDeclined,
    ActionHandoffContactSubmit,
    ValidateHandoffContactForm,
)
from actions.handoff_resume import ActionHandoffBack, ActionHandoffOfficerJoined
from actions.human import ActionRequestHuman
from bot.handoff.client import HandoffClient, HandoffUnavailable, SubmitResult
from tests.actions.helpers import make_tracker, slot_events

AALST = {"nis": "41002", "municipality": "Aalst"}


class FakeClient:
    def __init__(self, result: SubmitResult | None = None, kind: str = "phone") -> None:
        self.result = result
        self.kind = kind
        self.submitted: list[dict] = []
        self.contacts: list[tuple[str, str, str]] = []

    async def submit(self, request):
        self.submitted.append(dict(request))
        if self.result is None:
            raise HandoffUnavailable("down")
        return self.result

    async def save_contact(self, reference, conversation_id, text):
        if self.result is None:
            raise HandoffUnavailable("down")
        self.contacts.append((reference, conversation_id, text))
        return self.kind


@pytest.fixture()
def use_client(monkeypatch, use_services):
    def install(client) -> None:
        use_services(handoff=client)
    monkeypatch.setattr(human, "counter_open", lambda counter: True)
    return install


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def kinds(events):
    return [e["event"] for e in events]


async def test_queued_owner_hears_the_position_and_the_bot_pauses(use_client):
    client = FakeClient(SubmitResult("queued", "HO-AAAA-BBBB", 2, "owner-token"))
    use_client(client)
    tracker = make_tracker("ik wil een ambtenaar spreken", "request_human", slots=AALST,
                           events=[{"event": "user", "text": "mag ik een terras zetten?"}])
    messages, events = await run(ActionRequestHuman(), tracker)
    assert messages[-1]["response"] == "utter_handoff_queued"
    assert messages[-1]["position"] == 2 and messages[-1]["counter_name"]
    handoff = messages[-1]["custom"]["handoff"]
    assert handoff["status"] == "queued" and handoff["position"] == 2
    assert handoff["counter"] == "aalst" and handoff["token"] == "owner-token"
    assert "pause" in kinds(events)
    assert slot_events(events)["handoff"]["status"] == "queued"
    sent = client.submitted[0]
    assert sent["conversation_id"] == "test" and sent["counter"] == "aalst"
    assert sent["counter_open"] is True
    assert "mag ik een terras zetten?" in sent["summary"]


async def test_nobody_available_gives_a_reference_and_asks_for_contact(use_client):
    use_client(FakeClient(SubmitResult("callback", "HO-CCCC-DDDD", None, "tok")))
    messages, events = await run(ActionRequestHuman(),
                                 make_tracker("bel mij terug", "request_human", slots=AALST))
    assert messages[-1]["response"] == "utter_handoff_callback"
    assert messages[-1]["reference"] == "HO-CCCC-DDDD"
    assert messages[-1]["custom"]["handoff"]["status"] == "callback"
    assert "pause" not in kinds(events)
    assert {"event": "followup", "name": "handoff_contact_form"}.items() <= \
        next(e for e in events if e["event"] == "followup").items()


async def test_service_down_shows_the_counter_contact_and_apologises(use_client):
    use_client(FakeClient(None))
    messages, events = await run(ActionRequestHuman(),
                                 make_tracker("ik wil iemand spreken", "request_human",
                                              slots=AALST))
    assert messages[-1]["response"] == "utter_handoff_unavailable"
    assert "aalst.example.be" in messages[-1]["contact_details"]
    assert messages[-1]["custom"]["handoff"] == {"status": "closed", "counter": "aalst",
                                                 "position": None}
    assert "pause" not in kinds(events)


async def test_service_not_configured_never_crashes(use_services):
    use_services(handoff=HandoffClient("http://127.0.0.1:9", ""))
    messages, _ = await run(ActionRequestHuman(),
                            make_tracker("ik wil iemand spreken", "request_human", slots=AALST))
    assert messages[-1]["custom"]["handoff"]["status"] == "closed"
    assert messages[-1]["response"] != "utter_technical_problem"


async def test_unknown_municipality_is_asked_first(use_client):
    client = FakeClient(SubmitResult("queued", "HO-X", 1, "t"))
    use_client(client)
    messages, events = await run(ActionRequestHuman(),
                                 make_tracker("ik wil iemand spreken", "request_human"))
    assert messages[-1]["response"] == "utter_ask_municipality"
    assert slot_events(events)["pending_offer"] == "human"
    assert client.submitted == []


async def test_yes_to_the_offer_runs_the_hand_off_next():
    tracker = make_tracker("ja", "affirm", slots={"pending_offer": "human", **AALST})
    _messages, events = await run(ActionHandleYesNo(), tracker)
    assert {"event": "followup", "name": "action_request_human"}.items() <= \
        next(e for e in events if e["event"] == "followup").items()
    assert slot_events(events)["pending_offer"] is None


async def test_contact_form_accepts_phone_or_email_and_rejects_the_rest():
    def form_tracker(text):
        tracker = make_tracker(text, "nlu_fallback")
        tracker.events.append({"event": "slot", "name": "handoff_contact", "value": text})
        return tracker

    messages, events = await run(ValidateHandoffContactForm(), form_tracker("0470/12.34.56"))
    assert slot_events(events) == {"handoff_contact": "+32470123456"} and messages == []
    messages, events = await run(ValidateHandoffContactForm(), form_tracker("morgenvroeg"))
    assert slot_events(events) == {"handoff_contact": None}
    assert messages[0]["response"] == "utter_handoff_contact_invalid"


async def test_submitting_the_contact_confirms_with_the_reference(use_client):
    client = FakeClient(SubmitResult("callback", "HO-CCCC-DDDD", None, "tok"), kind="email")
    use_client(client)
    slots = {**AALST, "handoff_contact": "jan@voorbeeld.be",
             "handoff": {"status": "callback", "counter": "aalst", "reference": "HO-CCCC-DDDD"}}
    messages, events = await run(ActionHandoffContactSubmit(),
                                 make_tracker("jan@voorbeeld.be", "nlu_fallback", slots=slots))
    assert client.contacts == [("HO-CCCC-DDDD", "test", "jan@voorbeeld.be")]
    assert messages[0]["response"] == "utter_handoff_contact_saved_email"
    assert messages[0]["reference"] == "HO-CCCC-DDDD"
    assert slot_events(events) == {"handoff_contact": None}


async def test_declining_the_contact_form_keeps_the_reference_and_shows_the_counter():
    slots = {"handoff": {"status": "callback", "counter": "aalst", "reference": "HO-CCCC-DDDD"}}
    messages, events = await run(ActionHandoffContactDeclined(),
                                 make_tracker("/deny", "deny", slots=slots))
    assert messages[0]["response"] == "utter_handoff_contact_declined"
    assert messages[0]["reference"] == "HO-CCCC-DDDD"
    assert {"event": "active_loop", "name": None}.items() <= \
        next(e for e in events if e["event"] == "active_loop").items()


async def test_officer_joined_names_the_officer_and_hand_back_closes_the_hand_off():
    slots = {**AALST, "handoff_officer": "Sofie",
             "handoff": {"status": "queued", "counter": "aalst", "position": 1,
                         "reference": "HO-AAAA-BBBB", "token": "t"}}
    messages, _ = await run(ActionHandoffOfficerJoined(), make_tracker("", "", slots=slots))
    assert messages[0]["officer_name"] == "Sofie"
    messages, events = await run(ActionHandoffBack(), make_tracker("", "", slots=slots))
    assert messages[0]["response"] == "utter_handoff_back"
    assert messages[0]["custom"]["handoff"]["status"] == "closed"
    assert slot_events(events)["handoff"]["status"] == "closed"
    assert slot_events(events)["handoff_officer"] is None
