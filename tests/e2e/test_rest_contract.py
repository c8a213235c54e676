"""The REST channel as an outside client sees it: reply contract, bad input, failures."""

from __future__ import annotations

import json
import secrets
import sqlite3
import urllib.request
from typing import Any

from bot.contract import CONTRACT_KEYS
from launcher import StackPlan


def post(base: str, message: Any, sender: Any = "__new__", raw: bytes | None = None,
         turn_id: str | None = None) -> Any:
    if sender == "__new__":
        sender = "e2e-" + secrets.token_hex(8)
    body = raw if raw is not None else json.dumps({"sender": sender, "message": message}).encode()
    headers = {"Content-Type": "application/json"}
    if turn_id is not None:
        headers["X-Turn-Id"] = turn_id
    request = urllib.request.Request(base + "/webhooks/rest/webhook", data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return json.loads(response.read())


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def test_greeting_has_privacy_notice_and_full_contract(rasa_url):
    replies = post(rasa_url, "Goeiedag!")
    assert replies, "the assistant must answer"
    assert "Privacy" in texts(replies)
    for reply in replies:
        assert isinstance(reply["custom"], dict)
        assert set(reply["custom"]) <= set(CONTRACT_KEYS)
        assert "topic" not in reply["custom"]


def test_local_question_with_municipality_is_answered_sourced_and_routed(rasa_url):
    replies = post(rasa_url, "Mag ik een terras zetten voor mijn café in Aalst?")
    contract = replies[-1]["custom"]
    assert contract["topic"] == "terrasvergunning"
    assert contract["municipality"] == "Aalst" and contract["nis"] == "41002"
    assert contract["counter"] and contract["authority"]
    assert contract["source"].startswith("https://")
    assert "Bron:" in texts(replies) and "https://" in texts(replies)


def test_question_then_municipality_in_second_turn(rasa_url):
    sender = "e2e-" + secrets.token_hex(8)
    first = post(rasa_url, "ik wil een evenement organiseren op straat, wat moet ik doen?", sender)
    assert first[-1]["custom"]["topic"] == "evenementenvergunning"
    assert "counter" not in first[-1]["custom"]  # local topic, municipality still unknown
    second = post(rasa_url, "Sint-Niklaas", sender)
    contract = second[-1]["custom"]
    assert contract["municipality"] == "Sint-Niklaas" and contract["counter"]
    assert contract["topic"] == "evenementenvergunning"


def test_out_of_scope_gets_no_topic(rasa_url):
    replies = post(rasa_url, "wie wint er zondag de match van Club Brugge?")
    assert replies and "topic" not in replies[-1]["custom"]


def test_bad_input_gets_a_friendly_reply_never_an_error(rasa_url):
    for message in ["", "   ", "👍👍🎉", "terras " * 1500, "<script>alert(1)</script>", None]:
        replies = post(rasa_url, message)
        assert replies and texts(replies).strip(), repr(message)[:40]
        assert "<script" not in texts(replies)
    assert post(rasa_url, None, raw=b"{not json")


def test_missing_sender_gets_its_own_random_conversation(rasa_url):
    first = post(rasa_url, "hallo", sender=None)
    second = post(rasa_url, "hallo", sender=None)
    assert first[0]["recipient_id"] != second[0]["recipient_id"]
    assert first[0]["recipient_id"] != "default"


def test_action_server_down_still_answers_in_dutch(rasa_without_actions):
    replies = post(rasa_without_actions, "Hoe vraag ik een terrasvergunning aan in Gent?")
    assert "Sorry" in texts(replies)
    again = post(rasa_without_actions, "hallo")
    assert "Privacy" in texts(again), "the conversation goes on after a failure"


def stored_owner_messages(plan: StackPlan, sender: str) -> list[str]:
    with sqlite3.connect(plan.config.state_dir / "trackers.sqlite3") as conn:
        rows = conn.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' "
                            "ORDER BY id", (sender,)).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def test_a_message_resent_with_its_turn_id_is_answered_once(rasa_url, e2e_plan):
    """A client (or the production proxy) that resends a message after a lost answer gets the
    same answer, and the conversation holds the message once; a new turn id is a new turn."""
    sender = "e2e-" + secrets.token_hex(8)
    question = "Mag ik een terras zetten voor mijn café in Aalst?"
    first = post(rasa_url, question, sender, turn_id="turn-" + secrets.token_hex(8))
    resend_id = "turn-" + secrets.token_hex(8)
    answered = post(rasa_url, "en wat kost dat?", sender, turn_id=resend_id)
    resent = post(rasa_url, "en wat kost dat?", sender, turn_id=resend_id)
    assert texts(resent) == texts(answered) and texts(resent).strip()
    assert resent[-1]["custom"] == answered[-1]["custom"]
    assert resent[-1]["custom"]["topic"] == first[-1]["custom"]["topic"] == "terrasvergunning"
    assert stored_owner_messages(e2e_plan, sender) == [question, "en wat kost dat?"]
    again = post(rasa_url, "en wat kost dat?", sender, turn_id="turn-" + secrets.token_hex(8))
    assert texts(again).strip()
    assert stored_owner_messages(e2e_plan, sender).count("en wat kost dat?") == 2
