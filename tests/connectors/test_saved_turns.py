"""The reply contract reuses the state the tracker store saved during the turn instead of
reading the whole conversation back, and falls back to a read whenever that state is not
certainly the turn's own."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from connectors.rest import finish_turn, prepare_message, turn_state
from connectors.saved_turns import SavedTurns
from connectors.tracker_store import PrivateSQLTrackerStore
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


class CountingStore(PrivateSQLTrackerStore):
    reads = 0

    async def retrieve(self, sender_id: str):  # type: ignore[no-untyped-def]
        type(self).reads += 1
        return await super().retrieve(sender_id)


@pytest.fixture()
def agent(tmp_path, domain):
    CountingStore.reads = 0
    store = CountingStore(domain, dialect="sqlite", db=str(tmp_path / "trackers.sqlite3"))
    return SimpleNamespace(tracker_store=FailSafeTrackerStore(store), domain=domain)


async def one_turn(agent, sender: str, municipality: str) -> None:
    tracker = await agent.tracker_store.retrieve(sender) or DialogueStateTracker(
        sender, agent.domain.slots)
    tracker.update(UserUttered(f"ik zit in {municipality}", {"name": "inform", "confidence": 1}))
    tracker.update(SlotSet("municipality", municipality))
    await agent.tracker_store.save(tracker)


async def test_the_contract_uses_the_saved_turn_without_reading_the_store_again(agent):
    await prepare_message(agent, "owner-1", "ik zit in Aalst")
    await one_turn(agent, "owner-1", "Aalst")
    reads_before = CountingStore.reads
    messages = [{"recipient_id": "owner-1", "text": "Genoteerd: Aalst."}]
    await finish_turn(agent, "owner-1", messages)
    assert CountingStore.reads == reads_before  # no replay of the conversation
    fresh = await agent.tracker_store.retrieve("owner-1")
    assert fresh.get_slot("municipality") == "Aalst"
    assert messages[0]["custom"]["municipality"] == fresh.get_slot("municipality")


async def test_a_state_saved_before_the_message_arrived_is_not_used(agent):
    await prepare_message(agent, "owner-2", "ik zit in Gent")
    await one_turn(agent, "owner-2", "Gent")  # that turn's contract was never built
    await prepare_message(agent, "owner-2", "hallo")  # the next turn saves nothing (a crash)
    reads_before = CountingStore.reads
    slots, paused = await turn_state(agent, "owner-2")
    assert CountingStore.reads == reads_before + 1  # read back instead of trusting old state
    assert slots["municipality"] == "Gent" and paused is False


async def test_events_saved_outside_a_turn_are_read_back(agent):
    await one_turn(agent, "owner-4", "Lokeren")  # e.g. an officer's event, no channel turn
    reads_before = CountingStore.reads
    slots, _ = await turn_state(agent, "owner-4")
    assert CountingStore.reads == reads_before + 1
    assert slots["municipality"] == "Lokeren"


async def test_each_turn_state_is_taken_once(agent):
    await prepare_message(agent, "owner-3", "ik zit in Hasselt")
    await one_turn(agent, "owner-3", "Hasselt")
    assert (await turn_state(agent, "owner-3"))[0]["municipality"] == "Hasselt"
    reads_before = CountingStore.reads
    assert (await turn_state(agent, "owner-3"))[0]["municipality"] == "Hasselt"
    assert CountingStore.reads == reads_before + 1


def test_the_saved_states_are_bounded():
    saved = SavedTurns(max_conversations=3)
    for number in range(10):
        saved.begin(f"owner-{number}")
        saved.remember(f"owner-{number}", {"n": number}, False)
    assert saved.take("owner-0") is None
    kept = saved.take("owner-9")
    assert kept is not None and kept.slots == {"n": 9}


def test_a_save_without_a_begun_turn_is_not_kept():
    saved = SavedTurns()
    saved.remember("owner-x", {"n": 1}, False)
    assert saved.take("owner-x") is None
