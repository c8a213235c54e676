"""Finding the stored answer of a resent message: the turn id is read only when well formed,
and the reply is what the bot said after that owner message, as the REST channel sends it."""

from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from connectors.turn_replay import bot_messages_after, turn_id


def test_only_a_well_formed_turn_id_counts():
    assert turn_id({"X-Turn-Id": "3f2c1a9e-7b7d-4a51-9d0e-1c2b3a4d5e6f"}) is not None
    for bad in ("", "short", "x" * 65, "id with spaces", "<script>alert(1)</script>"):
        assert turn_id({"X-Turn-Id": bad}) is None
    assert turn_id({}) is None


def test_the_reply_is_what_the_bot_said_after_that_message():
    events = [
        UserUttered("hallo", message_id="turn-00000001"),
        BotUttered("Dag! Waarmee kan ik helpen?"),
        UserUttered("mag ik een terras zetten?", message_id="turn-00000002"),
        ActionExecuted("action_answer_topic"),
        BotUttered("Ja, met een terrasvergunning.", data={
            "buttons": [{"title": "Aanvraag starten", "payload": "/start_dossier"}],
            "custom": {"topic": "terrasvergunning"}}),
        SlotSet("topic", "terrasvergunning"),
        BotUttered("In welke gemeente is je zaak?"),
        ActionExecuted("action_listen"),
    ]
    reply = bot_messages_after(events, "turn-00000002", "owner-1")
    assert reply == [
        {"recipient_id": "owner-1", "text": "Ja, met een terrasvergunning.",
         "buttons": [{"title": "Aanvraag starten", "payload": "/start_dossier"}],
         "custom": {"topic": "terrasvergunning"}},
        {"recipient_id": "owner-1", "text": "In welke gemeente is je zaak?"},
    ]
    assert bot_messages_after(events, "turn-00000001", "owner-1") == [
        {"recipient_id": "owner-1", "text": "Dag! Waarmee kan ik helpen?"}]
    assert bot_messages_after(events, "turn-00000003", "owner-1") is None  # a new message


class RecordingBroker:
    def __init__(self) -> None:
        self.published: list[dict] = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


async def test_a_turn_stored_by_a_dead_replica_is_published_by_the_one_that_answers(tmp_path):
    """Replica A stores the turn and dies before publishing it (no broker here); replica B gets
    the resent message: it answers from the stored turn and publishes that turn's events, with
    the keys A would have published, so the insights count the turn once."""
    from types import SimpleNamespace

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.insights.events import event_key
    from connectors.tracker_store import PrivateSQLTrackerStore
    from connectors.turn_replay import stored_reply
    from tests.conftest import ROOT

    domain = Domain.load(str(ROOT / "domain"))
    db = str(tmp_path / "trackers.sqlite3")
    would_have, dead = RecordingBroker(), PrivateSQLTrackerStore(domain, dialect="sqlite", db=db)
    tracker = DialogueStateTracker("owner-9", domain.slots)
    turn = [UserUttered("mag ik een terras zetten? mail me op an@voorbeeld.be",
                        {"name": "ask_topic", "confidence": 0.9}, message_id="turn-00000009"),
            ActionExecuted("action_answer_topic"),
            BotUttered("Ja, met een terrasvergunning."), SlotSet("topic", "terrasvergunning"),
            ActionExecuted("action_listen")]
    for event in turn:
        tracker.update(event)
    await dead.save(tracker)  # stored; the replica dies before its events go out
    reference = PrivateSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "ref.sqlite3"),
                                       event_broker=would_have)
    await reference.save(DialogueStateTracker.from_events("owner-9", turn, domain.slots))

    broker = RecordingBroker()
    answering = PrivateSQLTrackerStore(domain, dialect="sqlite", db=db, event_broker=broker)
    reply = await stored_reply(SimpleNamespace(tracker_store=answering), "owner-9",
                               "turn-00000009")
    assert reply == [{"recipient_id": "owner-9", "text": "Ja, met een terrasvergunning."}]
    assert [event_key(e) for e in broker.published] == \
        [event_key(e) for e in would_have.published]
    assert "an@voorbeeld.be" not in str(broker.published)
    assert await stored_reply(SimpleNamespace(tracker_store=answering), "owner-9",
                              "turn-00000010") is None  # a new message: nothing published
    assert len(broker.published) == len(turn)
