"""Buttons on channels without buttons: a numbered list, and the owner's answer back."""

from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from connectors.choices import as_numbered_text, choice_payload, offered_buttons

BUTTONS = [{"title": "Terrasvergunning", "payload": "/ask_terrasvergunning"},
           {"title": "Meer lezen", "payload": "https://www.vlaio.be/nl"}]


def test_the_list_is_numbered_with_links_and_tells_how_to_answer() -> None:
    assert as_numbered_text("Bedoel je dit?", BUTTONS) == (
        "Bedoel je dit?\n\n1. Terrasvergunning\n2. Meer lezen: https://www.vlaio.be/nl\n\n"
        "Antwoord met het nummer van je keuze.")
    assert as_numbered_text("Gewoon tekst", []) == "Gewoon tekst"


def test_a_number_or_the_exact_title_picks_a_button() -> None:
    for reply in ("1", " 1. ", "1)", "terrasvergunning"):
        assert choice_payload(reply, BUTTONS) == "/ask_terrasvergunning", reply
    for reply in ("0", "3", "12", "1 terras", "ja"):
        assert choice_payload(reply, BUTTONS) is None, reply


def test_only_the_buttons_of_the_bots_last_turn_count() -> None:
    offered = [BotUttered("Bedoel je dit?", {"buttons": BUTTONS}),
               BotUttered("Of vraag iets anders."), ActionExecuted("action_listen")]
    assert offered_buttons(offered) == BUTTONS
    answered = [*offered, UserUttered("1"), BotUttered("Goed.")]
    assert offered_buttons(answered) == []
