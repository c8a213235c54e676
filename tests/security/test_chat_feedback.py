"""Issue 15: votes on the chat page (`POST /api/chat/feedback`, keyed by the session cookie)
only for answers its conversation has, with the same body cap as the widget's API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.feedback import FeedbackStore
from bot.webcore.owner_session import SESSION_COOKIE
from tests.security.conftest import FakeRasa
from tests.security.test_feedback_api import chunks


async def test_a_chunked_body_over_the_limit_is_refused(make_client: Any,
                                                       feedback_db: Path) -> None:
    client = await make_client()
    await client.get("/")  # the chat page's session cookie
    response = await client.post("/api/chat/feedback", data=chunks(20 * 1024),
                                 headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert FeedbackStore(feedback_db).all() == []


async def test_the_chat_page_can_only_vote_on_answers_its_conversation_has(
        make_client: Any, fake_rasa: FakeRasa, feedback_db: Path) -> None:
    client = await make_client()
    await client.get("/")
    sid = client.session.cookie_jar.filter_cookies(client.make_url("/"))[SESSION_COOKIE].value
    body = {"message_id": "answer-0001", "vote": "up", "topic": "../../x"}
    assert (await client.post("/api/chat/feedback", json=body)).status == 404  # no answer yet
    fake_rasa.add_answer(sid)
    assert (await client.post("/api/chat/feedback", json=body)).status == 200
    assert (await client.post("/api/chat/feedback",
                              json={**body, "message_id": "answer-0002"})).status == 404
    [stored] = FeedbackStore(feedback_db).all()
    assert (stored.conversation_id, stored.topic) == (sid, "terrasvergunning")
