from bot.text_input import MAX_CHARS, clean_user_text


def test_plain_question_is_kept():
    result = clean_user_text("Mag ik een terras zetten in Gent?")
    assert result.kind == "text"
    assert result.text == "Mag ik een terras zetten in Gent?"


def test_empty_and_whitespace_are_empty():
    assert clean_user_text("").kind == "empty"
    assert clean_user_text("   \n\t ").kind == "empty"
    assert clean_user_text(None).kind == "empty"


def test_emoji_only_has_no_words():
    assert clean_user_text("👍🙂🎉").kind == "no_words"
    assert clean_user_text("?!...").kind == "no_words"


def test_scripts_and_tags_are_removed():
    result = clean_user_text("<script>alert('x')</script><b>terras</b> aanvragen")
    assert "alert" not in result.text and "<" not in result.text
    assert result.text == "terras aanvragen"


def test_huge_message_is_cut_at_a_word_boundary():
    result = clean_user_text("terras " * 5000)
    assert result.truncated
    assert len(result.text) <= MAX_CHARS
    assert result.text.endswith("terras")


def test_button_payloads_pass_but_typed_slashes_do_not_become_commands():
    assert clean_user_text("/ask_terrasvergunning").kind == "command"
    assert clean_user_text('/inform_municipality{"nis":"44021"}').kind == "command"
    typed = clean_user_text("/ik wil een terras")
    assert typed.kind == "text" and not typed.text.startswith("/")
