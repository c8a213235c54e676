"""An officer erases a conversation from the console: a button on a closed request of their own
counter, CSRF-checked, confirmed, audited, and the same erasure as the owner's (the tracker
store deletes the conversation when it sees the `erase_conversation` slot; the web app deletes
the hand-off requests, contact data, transcript and votes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.feedback import Feedback
from bot.handoff.models import HandoffRequest
from bot.handoff.web.erasure import AUDIT_ACTION
from bot.handoff.web.services import HOLDER_KEY
from bot.tracker_privacy import erases_conversation
from bot.web import feedback_api
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from connectors.tracker_store import PrivateSQLTrackerStore
from tests.bot.handoff.conftest import PASSWORD, FakeRasa, new_request
from tests.bot.handoff.web_helpers import csrf_of, hub, login_ok
from tests.conftest import ROOT
from tests.web.test_chat import FakeRasa as FakeChat

OWNER, OTHER = "owner-who-asked-1", "owner-who-stays-1"


def user(text: str) -> UserUttered:
    intent = {"name": "inform", "confidence": 0.9}
    return UserUttered(text, intent, parse_data={"text": text, "intent": intent, "entities": []})


@pytest.fixture()
def rasa_api() -> FakeRasa:
    return FakeRasa()


@pytest.fixture()
async def client(aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                 rasa_api: FakeRasa) -> Any:
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("FEEDBACK_DB", str(tmp_path / "feedback.sqlite3"))
    app = create_app(WebConfig(), rasa=FakeChat())  # type: ignore[arg-type]
    app[HOLDER_KEY].tracker_api = rasa_api
    client = await aiohttp_client(app)
    await hub(client).officers.create("sofie", PASSWORD, ["aalst"], display_name="Sofie")
    await hub(client).officers.create("piet", PASSWORD, ["gent"], display_name="Piet")
    return client


async def request_for(client: Any, conversation: str, closed: bool = True,
                      status: Any = "closed") -> HandoffRequest:
    requests = hub(client).requests
    created, _token = await requests.create(new_request(conversation, "aalst"), "callback")
    if closed:
        assert await requests.finish(created.id, status, (created.status,))
    found = await requests.get(created.id)
    assert found is not None
    return found


def vote(client: Any, conversation: str) -> None:
    client.app[feedback_api.STORE_KEY].record(
        Feedback(conversation, "m1", "up", "terrasvergunning", "Aalst", None))


async def erase(client: Any, handoff: HandoffRequest, csrf: str, **form: str) -> Any:
    return await client.post(f"/officer/requests/{handoff.id}/erase", allow_redirects=False,
                             data={"csrf": csrf, **form})


async def test_an_officer_erases_a_closed_conversation_the_same_way_as_the_owner(
        client: Any, rasa_api: FakeRasa, tmp_path: Path) -> None:
    handoff, other = await request_for(client, OWNER), await request_for(client, OTHER)
    vote(client, OWNER)
    vote(client, OTHER)
    await login_ok(client, "sofie")
    page = await (await client.get(f"/officer/requests/{handoff.id}")).text()
    assert f'action="/officer/requests/{handoff.id}/erase"' in page
    csrf = csrf_of(page)

    unconfirmed = await erase(client, handoff, csrf)
    assert unconfirmed.headers["Location"].endswith("?notice=erase_unconfirmed")
    assert rasa_api.appended == [] and await hub(client).requests.get(handoff.id) is not None

    done = await erase(client, handoff, csrf, confirm="yes")
    assert done.status == 303 and done.headers["Location"] == "/officer/?notice=erased"
    queue = await (await client.get(done.headers["Location"])).text()
    assert "Het gesprek is gewist" in queue
    # the web app's part: request, contact data and transcript, votes; the other owner stays
    assert await hub(client).requests.latest_for_conversation(OWNER) is None
    assert await hub(client).requests.get(other.id) is not None
    left = {f.conversation_id for f in client.app[feedback_api.STORE_KEY].all()}
    assert left == {OTHER}
    # the tracker's part: the owner's erase slot, through Rasa's HTTP API ...
    [(conversation, events)] = rasa_api.appended
    assert conversation == OWNER and erases_conversation(events)
    # ... which makes Rasa's tracker store (ours) delete the whole conversation
    domain = Domain.load(str(ROOT / "domain"))
    store = PrivateSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.sqlite3"))
    for sender in (OWNER, OTHER):
        tracker = DialogueStateTracker(sender, domain.slots)
        tracker.update(user("mijn zaak heet Frituur Bij Jos, bel 0470 12 34 56"))
        await store.save(tracker)
    tracker = await store.retrieve(OWNER)
    assert tracker is not None
    for event in events:
        tracker.update(Event.from_parameters(event))
    await store.save(tracker)
    assert await store.retrieve(OWNER) is None and await store.retrieve(OTHER) is not None
    # audited: who, what, which request
    officer = await hub(client).officers.by_name("sofie")
    assert officer is not None
    entries = await hub(client).audit.entries()
    assert (entries[0].officer_id, entries[0].action, entries[0].target) == (
        officer.id, AUDIT_ACTION, handoff.reference)


async def test_only_closed_requests_of_their_counters_with_csrf_and_rasa_up(
        client: Any, rasa_api: FakeRasa) -> None:
    open_one = await request_for(client, OWNER, closed=False)
    csrf = await login_ok(client, "sofie")
    page = await (await client.get(f"/officer/requests/{open_one.id}")).text()
    assert "/erase" not in page  # no button on a request that is not closed
    refused = await erase(client, open_one, csrf, confirm="yes")
    assert refused.headers["Location"].endswith("?notice=not_closed")

    handed_back = await request_for(client, "owner-handed-back-1", status="returned")
    page = await (await client.get(f"/officer/requests/{handed_back.id}")).text()
    assert f"/officer/requests/{handed_back.id}/erase" in page  # finished: it may be erased
    closed = await request_for(client, OTHER)
    assert (await erase(client, closed, "wrong-csrf", confirm="yes")).status == 403
    rasa_api.down = True
    unreachable = await erase(client, closed, csrf, confirm="yes")
    assert unreachable.headers["Location"].endswith("?notice=rasa_unavailable")
    assert await hub(client).requests.get(closed.id) is not None  # nothing deleted, retry
    rasa_api.down = False

    await client.post("/officer/logout", data={"csrf": csrf})
    gent = await login_ok(client, "piet")  # another counter
    assert (await erase(client, closed, gent, confirm="yes")).status == 403
    assert rasa_api.appended == [] and await hub(client).requests.get(closed.id) is not None
    assert await hub(client).audit.entries() == [] or all(
        entry.action != AUDIT_ACTION for entry in await hub(client).audit.entries())
