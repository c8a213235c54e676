"""Issue 15: a counter's hand-off queue cannot be flooded: one open request per conversation
(also when requests arrive at once), a cap on waiting requests per counter with a clear Dutch
message for the owner."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions import human
from actions.human import ActionRequestHuman
from bot.handoff.client import HandoffClient, HandoffFull
from bot.handoff.service import HandoffService
from bot.handoff.web.services import HOLDER_KEY
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.actions.conftest import _fresh_services, use_services  # noqa: F401
from tests.actions.helpers import make_tracker
from tests.bot.handoff.conftest import FakeRasa, new_request
from tests.bot.handoff.web_helpers import SERVICE_TOKEN, bearer, hub

ROOT = Path(__file__).resolve().parents[2]


async def test_parallel_requests_of_one_conversation_make_one_request(
        service: HandoffService, requests: Any) -> None:
    outcomes = await asyncio.gather(*(service.submit(new_request("conv-1"), True)
                                      for _ in range(10)))
    assert len({o.reference for o in outcomes}) == 1
    assert sum(o.owner_token is not None for o in outcomes) == 1  # the token is given once
    assert len(await requests.for_counters(["aalst"], ["queued", "callback"])) == 1


async def test_a_counter_takes_a_limited_number_of_waiting_requests(
        service: HandoffService, requests: Any) -> None:
    service.max_waiting = 5
    outcomes = await asyncio.gather(*(service.submit(new_request(f"fresh-{n}"), True)
                                      for n in range(12)))
    assert [o.status for o in outcomes].count("full") == 7
    assert all(o.reference is None for o in outcomes if o.status == "full")
    assert len(await requests.for_counters(["aalst"], ["queued", "callback"])) == 5
    other = await service.submit(new_request("fresh-gent", counter="gent"), True)
    assert other.status == "callback"  # other counters are not affected
    # An owner already waiting (whichever got in: parallel arrivals have no fixed order).
    waiting = next(n for n, o in enumerate(outcomes) if o.status != "full")
    again = await service.submit(new_request(f"fresh-{waiting}"), True)
    assert again.status != "full" and again.reference == outcomes[waiting].reference


@pytest.fixture()
async def web(aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", SERVICE_TOKEN)
    monkeypatch.setenv("HANDOFF_MAX_WAITING_PER_COUNTER", "3")
    app = create_app(WebConfig())
    app[HOLDER_KEY].tracker_api = FakeRasa()
    return await aiohttp_client(app)


def body(conversation: str) -> dict[str, Any]:
    return {"conversation_id": conversation, "counter": "aalst",
            "counter_name": "Ondernemersloket Aalst", "counter_open": True}


async def test_the_internal_api_and_its_client_say_full(web: Any) -> None:
    statuses = []
    for n in range(5):
        response = await web.post("/api/handoff/requests", json=body(f"flood-{n}"),
                                  headers=bearer())
        statuses.append((await response.json())["status"])
    assert statuses == ["callback"] * 3 + ["full"] * 2
    assert len(await hub(web).requests.for_counters(["aalst"], ["queued", "callback"])) == 3
    client = HandoffClient(str(web.make_url("")), SERVICE_TOKEN)
    with pytest.raises(HandoffFull):
        await client.submit(body("flood-9"))


class FullClient:
    async def submit(self, request: Any) -> Any:
        raise HandoffFull("full")


async def test_the_owner_hears_that_the_queue_is_full_and_how_to_reach_the_counter(
        use_services: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    use_services(handoff=FullClient())
    monkeypatch.setattr(human, "counter_open", lambda counter: True)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ik wil iemand spreken", "request_human",
                           slots={"nis": "41002", "municipality": "Aalst"})
    events = await ActionRequestHuman().run(dispatcher, tracker, {})
    message = dispatcher.messages[-1]
    assert message["response"] == "utter_handoff_queue_full"
    assert "aalst.example.be" in message["contact_details"]
    assert message["custom"]["handoff"]["status"] == "closed"
    assert "pause" not in [e["event"] for e in events]
    responses = yaml.safe_load((ROOT / "domain" / "handoff.yml").read_text("utf-8"))["responses"]
    for name in ("utter_handoff_queue_full", "utter_handoff_queue_full_no_contact"):
        assert "{counter_name}" in responses[name][0]["text"]
