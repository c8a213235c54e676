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
