"""The private SQL tracker store on a real SQLite file: what Rasa would keep in clear is
masked, and a form's personal answers are rewritten once the form forgets them."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_privacy import REMOVED, scrub
from connectors.tracker_store import PrivateSQLTrackerStore
from tests.conftest import ROOT


class RecordingBroker:
    def __init__(self) -> None:
        self.published: list[dict] = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


def stored_text(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return "\n".join(row[0] for row in conn.execute("SELECT data FROM events ORDER BY id"))


def user(text: str, intent: str = "inform") -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.9},
                       parse_data={"text": text, "intent": {"name": intent, "confidence": 0.9},
                                   "entities": []})


async def test_free_text_is_masked_in_the_store_and_the_broker(tmp_path, domain):
    db, broker = tmp_path / "trackers.sqlite3", RecordingBroker()
    store = PrivateSQLTrackerStore(domain, dialect="sqlite", db=str(db), event_broker=broker)
    tracker = DialogueStateTracker("owner-1", domain.slots)
    tracker.update(user("mail me op jan.peeters@voorbeeld.be of 0470 12 34 56, "
                        "rijksregisternummer 85.07.30-033.61, BE68 5390 0754 7034"))
    tracker.update(BotUttered("Ik noteer jan.peeters@voorbeeld.be"))
    tracker.update(SlotSet("dossier_applicant_name", "Jan Peeters"))
    await store.save(tracker)
    assert "Jan Peeters" not in str(broker.published)  # no personal slot value leaves
    assert "Jan Peeters" in stored_text(db)  # the running form still needs it
    raw = stored_text(db)
    for secret in ("jan.peeters@voorbeeld.be", "0470 12 34 56", "85.07.30-033.61",
                   "BE68 5390 0754 7034"):
        assert secret not in raw
        assert secret not in str(broker.published)
    assert "[email]" in raw and "[phone]" in raw
    again = await store.retrieve("owner-1")
    assert again is not None and "[email]" in again.latest_message.text


async def test_form_answers_stay_until_the_form_forgets_them_then_are_gone(tmp_path, domain):
    db = tmp_path / "trackers.sqlite3"
    store = PrivateSQLTrackerStore(domain, dialect="sqlite", db=str(db))
    tracker = DialogueStateTracker("owner-2", domain.slots)
    for event in [SlotSet("requested_slot", "dossier_applicant_name"), user("Lotte Verbeke"),
                  SlotSet("dossier_applicant_name", "Lotte Verbeke"),
                  SlotSet("requested_slot", "dossier_email"), user("lotte@voorbeeld.be"),
                  SlotSet("dossier_email", "lotte@voorbeeld.be"),
                  BotUttered("• Aanvrager: Lotte Verbeke", metadata={
                      "utter_action": "utter_dossier_summary",
                      "summary": "• Aanvrager: Lotte Verbeke\n• E-mail: lotte@voorbeeld.be"})]:
        tracker.update(event)
    await store.save(tracker)
    # While the form runs, the next turn still has the answers it needs.
    running = await store.retrieve("owner-2")
    assert running is not None and running.get_slot("dossier_email") == "lotte@voorbeeld.be"
    assert "Lotte Verbeke" in stored_text(db)
    # A question asked again while the form runs resets a slot: the answers must stay.
    running.update(ActiveLoop("terrasvergunning_form"))
    running.update(SlotSet("dossier_email", None))
    await store.save(running)
    assert "Lotte Verbeke" in stored_text(db)
    running = await store.retrieve("owner-2")
    assert running is not None and running.get_slot("dossier_applicant_name") == "Lotte Verbeke"
    running.update(ActiveLoop(None))
    running.update(ActionExecuted("action_finish_dossier"))
    for slot in ("dossier_applicant_name", "dossier_email"):
        running.update(SlotSet(slot, None))
    await store.save(running)
    raw = stored_text(db)
    assert "Lotte Verbeke" not in raw and "lotte@voorbeeld.be" not in raw
    assert REMOVED in raw
    after = await store.retrieve("owner-2")
    assert after is not None and after.get_slot("dossier_email") is None


def test_scrub_keeps_what_is_not_personal():
    events = [{"event": "slot", "name": "requested_slot", "value": "dossier_nis"},
              {"event": "user", "text": "Aalst", "parse_data": {"text": "Aalst"}},
              {"event": "slot", "name": "dossier_nis", "value": "41002"},
              {"event": "bot", "text": "Welke naam heeft je zaak?", "metadata": {}}]
    assert scrub(events) == []
    assert events[1]["text"] == "Aalst" and events[2]["value"] == "41002"


async def test_an_erased_conversation_leaves_nothing_in_the_store(tmp_path, domain):
    db = tmp_path / "trackers.sqlite3"
    store = PrivateSQLTrackerStore(domain, dialect="sqlite", db=str(db))
    for sender in ("owner-3", "owner-4"):
        tracker = DialogueStateTracker(sender, domain.slots)
        tracker.update(user("mijn zaak heet Frituur Bij Jos"))
        await store.save(tracker)
    tracker = await store.retrieve("owner-3")
    assert tracker is not None
    tracker.update(user("verwijder mijn gegevens", "request_erasure"))
    tracker.update(SlotSet("erase_conversation", True))
    await store.save(tracker)
    assert await store.retrieve("owner-3") is None
    assert await store.retrieve("owner-4") is not None
    assert "owner-3" not in "".join(await store.keys())


async def test_a_counters_published_contact_survives_masking(tmp_path, domain):
    db = tmp_path / "trackers.sqlite3"
    store = PrivateSQLTrackerStore(domain, dialect="sqlite", db=str(db))
    tracker = DialogueStateTracker("owner-5", domain.slots)
    tracker.update(user("mijn mail is an@voorbeeld.be"))
    tracker.update(BotUttered("Voor deze vraag helpt het loket je verder.\n"
                              "E-mail: ondernemen@aalst.example.be"))
    await store.save(tracker)
    raw = stored_text(db)
    assert "ondernemen@aalst.example.be" in raw  # the counter's own address (content)
    assert "an@voorbeeld.be" not in raw


async def test_a_conversation_back_after_its_session_expired_is_stored_once(tmp_path, domain):
    """An owner who comes back after the session expired: the turn starts a new session and
    is saved more than once. Every event lands once in the store and once on the broker
    (Rasa's count of stored events restarts at the new session and re-stored the old one)."""
    db, broker = tmp_path / "trackers.sqlite3", RecordingBroker()
    store = PrivateSQLTrackerStore(domain, dialect="sqlite", db=str(db), event_broker=broker)
    earlier, now = time.time() - 7200, time.time()
    tracker = DialogueStateTracker("owner-6", domain.slots)
    for event in [*session_start(earlier), user("mag ik een terras zetten?"),
                  BotUttered("Ja, met een vergunning.")]:
        tracker.update(event)
    await store.save(tracker)
    back = await store.retrieve("owner-6")
    assert back is not None
    for event in session_start(now):
        back.update(event)
    await store.save(back)
    back.update(user("en wat kost dat?"))
    back.update(BotUttered("Dat legt de gemeente vast."))
    await store.save(back)
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT COUNT(*) FROM events WHERE sender_id = 'owner-6'").fetchone()
    assert stored[0] == len(back.events) == 10
    assert len(broker.published) == 10
    assert [e["event"] for e in broker.published].count("user") == 2


def session_start(at: float) -> list[ActionExecuted | SessionStarted]:
    return [ActionExecuted("action_session_start", timestamp=at), SessionStarted(timestamp=at),
            ActionExecuted("action_listen", timestamp=at)]


async def test_the_last_owner_message_id_is_read_from_the_store(tmp_path, domain):
    store = PrivateSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.sqlite3"))
    assert store.last_user_message_id("owner-7") is None
    tracker = DialogueStateTracker("owner-7", domain.slots)
    for event in [UserUttered("hallo", message_id="turn-00000001"), BotUttered("Dag!"),
                  UserUttered("mag ik een terras zetten?", message_id="turn-00000002"),
                  BotUttered("Ja, met een vergunning.")]:
        tracker.update(event)
    await store.save(tracker)
    assert store.last_user_message_id("owner-7") == "turn-00000002"
    assert store.last_user_message_id("owner-8") is None
