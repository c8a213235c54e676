"""The web app's part of "verwijder mijn gegevens": hand-off requests (with the call-back
contact), transcript and feedback of one conversation are deleted, and only with the token."""

from __future__ import annotations

import pytest

from bot.feedback import Feedback
from bot.handoff.web.services import HOLDER_KEY
from bot.web import feedback_api
from bot.web.app import create_app
from bot.webcore.config import WebConfig
from tests.bot.handoff.conftest import FakeRasa
from tests.bot.handoff.web_helpers import hub
from tests.web.test_chat import FakeRasa as FakeChat

TOKEN = "test-service-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
OWNER, OTHER = "owner-to-forget-1", "owner-who-stays-1"


def request_body(conversation_id: str) -> dict:
    return {"conversation_id": conversation_id, "counter": "aalst", "counter_open": False,
            "counter_name": "Ondernemersloket Aalst", "summary": "Mag ik een terras zetten?"}


@pytest.fixture()
async def client(aiohttp_client, monkeypatch, tmp_path):
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite3"))
    monkeypatch.setenv("FEEDBACK_DB", str(tmp_path / "feedback.sqlite3"))
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", TOKEN)
    app = create_app(WebConfig(), rasa=FakeChat())  # type: ignore[arg-type]
    app[HOLDER_KEY].tracker_api = FakeRasa()
    return await aiohttp_client(app)


async def test_erasure_deletes_the_conversation_and_nothing_else(client):
    for conversation in (OWNER, OTHER):
        response = await client.post("/api/handoff/requests", json=request_body(conversation),
                                     headers=AUTH)
        assert response.status == 200
        store = client.app[feedback_api.STORE_KEY]
        store.record(Feedback(conversation, "m1", "up", "terrasvergunning", "Aalst", None))
    reference = (await hub(client).requests.open_for_conversation(OWNER)).reference
    response = await client.post("/api/handoff/contact", headers=AUTH, json={
        "reference": reference, "conversation_id": OWNER, "contact": "0470 12 34 56"})
    assert response.status == 200

    response = await client.post("/api/conversations/erase", json={"conversation_id": OWNER},
                                 headers=AUTH)
    assert response.status == 200
    assert await response.json() == {"erased": True, "handoff_requests": 1, "feedback": 1}
    assert await hub(client).requests.latest_for_conversation(OWNER) is None
    assert await hub(client).requests.latest_for_conversation(OTHER) is not None
    left = {f.conversation_id for f in client.app[feedback_api.STORE_KEY].all()}
    assert left == {OTHER}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-000"}])
async def test_erasure_needs_the_service_token(client, headers):
    response = await client.post("/api/conversations/erase", json={"conversation_id": OWNER},
                                 headers=headers)
    assert response.status == 401
