"""Issue 15: forged votes (messages and conversations that do not exist), vote flipping,
chunked bodies past the size limit, floods from one address."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from rasa.shared.core.events import BotUttered

from bot.feedback import FeedbackStore
from bot.message_ids import bot_message_id, bot_messages
from connectors.widget_payload import widget_payload
from tests.security.conftest import ANSWER, AT, CONVERSATION


def vote(message_id: str, value: str = "down", conversation: str = CONVERSATION) -> dict:
    return {"conversation_id": conversation, "message_id": message_id, "vote": value,
            "topic": "terrasvergunning"}


REAL_ID = bot_message_id(CONVERSATION, AT, ANSWER)


async def test_forged_votes_are_refused_and_nothing_is_stored(make_client: Any,
                                                            feedback_db: Path) -> None:
    client = await make_client(FEEDBACK_RATE_LIMIT="1000/60")
    statuses = set()
    for _ in range(100):  # made-up conversations and made-up messages of a real one
        forged = vote(secrets.token_urlsafe(9), conversation=secrets.token_hex(12))
        statuses.add((await client.post("/api/feedback", json=forged)).status)
        statuses.add((await client.post("/api/feedback",
                                        json=vote(secrets.token_urlsafe(9)))).status)
    assert statuses == {404}
    assert FeedbackStore(feedback_db).all() == []


async def test_a_real_answer_gets_one_vote_that_cannot_be_flipped(make_client: Any,
                                                                 feedback_db: Path) -> None:
    client = await make_client()
    assert (await client.post("/api/feedback", json=vote(REAL_ID, "down"))).status == 200
    assert (await client.post("/api/feedback", json=vote(REAL_ID, "down"))).status == 200
    assert (await client.post("/api/feedback", json=vote(REAL_ID, "up"))).status == 409
    [stored] = FeedbackStore(feedback_db).all()
    assert (stored.message_id, stored.vote, stored.topic) == (REAL_ID, "down", "terrasvergunning")


async def chunks(total: int) -> AsyncIterator[bytes]:
    padding = json.dumps(vote(REAL_ID))[:-1] + ', "pad": "'
    yield padding.encode()
    sent = len(padding)
    while sent < total:
        yield b"x" * 1024
        sent += 1024
    yield b'"}'


async def test_a_chunked_body_over_the_limit_is_refused(make_client: Any,
                                                       feedback_db: Path) -> None:
    client = await make_client()
    response = await client.post("/api/feedback", data=chunks(20 * 1024),
                                 headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert FeedbackStore(feedback_db).all() == []


async def test_votes_are_limited_per_address_unless_rate_limits_are_off(
        make_client: Any) -> None:
    limited = await make_client(FEEDBACK_RATE_LIMIT="5/60")
    statuses = [(await limited.post("/api/feedback", json=vote(REAL_ID))).status
                for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    unlimited = await make_client(FEEDBACK_RATE_LIMIT="5/60", RATE_LIMITS="off")
    statuses = [(await unlimited.post("/api/feedback", json=vote(REAL_ID))).status
                for _ in range(7)]
    assert 429 not in statuses


def test_the_widget_id_of_a_bot_message_is_found_again_in_the_tracker() -> None:
    event = BotUttered(ANSWER, {"custom": {"topic": "terrasvergunning"}}, {}, timestamp=AT)
    payload = widget_payload({"recipient_id": CONVERSATION, **event.message()})
    stored = json.loads(json.dumps(event.as_dict()))  # as the tracker store keeps it
    assert payload["id"] in bot_messages(CONVERSATION, [stored])
    assert payload["id"] not in bot_messages("another-conversation-id", [stored])
