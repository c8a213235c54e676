"""Transcript for the officer, queue summary, and contact details from free text."""

from __future__ import annotations

from bot.handoff.contact import parse_contact
from bot.handoff.summary import summarize
from bot.handoff.transcript import build_transcript


def test_transcript_tells_owner_bot_and_officer_apart_and_hides_the_owner_token():
    tracker = {
        "paused": True,
        "slots": {"municipality": "Aalst", "topic": "terrasvergunning", "dossier": None,
                  "handoff": {"status": "queued", "token": "geheim"}, "requested_slot": None},
        "events": [
            {"event": "user", "text": "Mag ik een terras zetten?", "timestamp": 1.0,
             "parse_data": {"intent": {"name": "ask_terrasvergunning"}}},
            {"event": "bot", "text": "Voor een terras heb je ...", "timestamp": 2.0},
            {"event": "user", "text": "/request_human", "timestamp": 3.0,
             "parse_data": {"intent": {"name": "request_human"}}},
            {"event": "action", "name": "action_listen"},
            {"event": "bot", "text": "Dag, ik ben Sofie.", "timestamp": 4.0,
             "metadata": {"author": "officer", "officer": "Sofie"}},
        ]}
    transcript = build_transcript(tracker)
    assert [(line.author, line.text) for line in transcript.lines] == [
        ("owner", "Mag ik een terras zetten?"), ("bot", "Voor een terras heb je ..."),
        ("owner", "/request_human"), ("officer", "Dag, ik ben Sofie.")]
    assert transcript.lines[2].intent == "request_human"
    assert transcript.lines[3].officer == "Sofie"
    assert transcript.paused is True
    assert dict(transcript.slots) == {"municipality": "Aalst", "topic": "terrasvergunning"}
    assert "geheim" not in repr(transcript)


def test_summary_keeps_the_last_typed_messages_not_button_payloads():
    events = [{"event": "user", "text": t} for t in
              ("hallo", "ik wil een terras in Aalst", "/affirm", "hoeveel kost dat", "  mag ik\n"
               " iemand spreken? ")]
    assert summarize(events) == ("ik wil een terras in Aalst · hoeveel kost dat · "
                                 "mag ik iemand spreken?")
    assert len(summarize([{"event": "user", "text": "x" * 5000}])) == 400


def test_contact_details_are_found_and_normalised():
    assert parse_contact("bel me op 0470 12 34 56 aub").value == "+32470123456"
    found = parse_contact("Mijn mail: Jan.Peeters@Voorbeeld.BE.")
    assert (found.kind, found.value) == ("email", "Jan.Peeters@voorbeeld.be")
    assert parse_contact("+32 9 123 45 67").kind == "phone"
    for text in ("nee dank je", "12345", "jan@", "+33 1 23 45 67 89"):
        assert parse_contact(text) is None
