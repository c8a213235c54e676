"""Issue 15: entity-encoded HTML must never come out of the input cleaner as a real tag."""

import pytest

from bot.text_input import clean_user_text, strip_html
from connectors.rest import prepare_text

ATTACKS = [
    "&lt;img src=x onerror=alert(1)&gt;",
    "&amp;lt;img src=x onerror=alert(1)&amp;gt;",  # double-encoded
    "&#60;svg onload=alert(1)&#62;",
    "&#x3C;script&#x3E;alert(1)&#x3C;/script&#x3E;",
    "<title><img src=x onerror=alert(1)></title>",  # tag as text inside a raw-text element
    "<scr<script>ipt>alert(1)</script>",
    "<<img src=x onerror=alert(1)>>",
    "<img src=x onerror=alert(1)//",  # unterminated
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_no_tag_survives_cleaning(attack: str) -> None:
    for text in (clean_user_text(f"terras {attack} Gent").text, prepare_text(attack)):
        assert "<" not in text and ">" not in text


def test_entity_encoded_tag_is_removed_not_decoded_into_a_tag() -> None:
    assert clean_user_text("&lt;img src=x onerror=alert(1)&gt;terras").text == "terras"


def test_words_and_ampersands_are_kept() -> None:
    assert clean_user_text("B&amp;B openen in Gent").text == "B&B openen in Gent"
    assert clean_user_text("B&B openen").text == "B&B openen"
    assert strip_html("<p>terras</p><p>aanvragen</p>").split() == ["terras", "aanvragen"]
