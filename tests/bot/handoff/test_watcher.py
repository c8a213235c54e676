"""Officers watching a live conversation hear about the owner's new messages."""

from __future__ import annotations

from bot.handoff.watcher import TranscriptWatcher
from tests.bot.handoff.conftest import new_request


async def test_new_owner_messages_are_announced_to_the_counter(requests, rasa, broker):
    request, _ = await requests.create(new_request("conv-1", "aalst"), "live")
    rasa.trackers["conv-1"] = {"events": [{"event": "user", "text": "hallo"}]}
    watcher = TranscriptWatcher(requests, rasa, broker)
    aalst, gent = broker.subscribe(["aalst"]), broker.subscribe(["gent"])

    await watcher.check_once()  # first look: nothing to compare with yet
    assert aalst.queue.empty()
    rasa.trackers["conv-1"]["events"].append({"event": "user", "text": "is daar iemand?"})
    await watcher.check_once()
    assert await aalst.next(0.1) == {"type": "transcript", "request_id": request.id}
    assert gent.queue.empty()
    await watcher.check_once()  # no change, no event
    assert aalst.queue.empty()


async def test_nobody_watching_means_no_calls_to_rasa(requests, rasa, broker):
    await requests.create(new_request("conv-1"), "live")
    watcher = TranscriptWatcher(requests, rasa, broker)
    await watcher.check_once()
    assert rasa.tracker_calls == 0
    broker.subscribe(["aalst"])
    await watcher.check_once()
    assert rasa.tracker_calls == 1
