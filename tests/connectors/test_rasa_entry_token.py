"""The Rasa API token reaches Rasa from the environment, not from the command line."""

from __future__ import annotations

from connectors.rasa_entry import with_api_token

ARGV = ["rasa", "run", "--enable-api", "--port", "5005"]


def test_the_token_is_added_inside_the_process():
    assert with_api_token(ARGV, {"RASA_API_TOKEN": "-starts-with-a-dash"}) == [
        *ARGV, "--auth-token=-starts-with-a-dash"]


def test_nothing_is_added_without_a_token_or_an_api_or_when_given():
    assert with_api_token(ARGV, {}) == ARGV
    assert with_api_token(["rasa", "run"], {"RASA_API_TOKEN": "t"}) == ["rasa", "run"]
    given = [*ARGV, "--auth-token=explicit"]
    assert with_api_token(given, {"RASA_API_TOKEN": "t"}) == given


def test_action_responses_are_still_checked_after_the_speed_up():
    import jsonschema
    import pytest
    from rasa.core.actions.action import RemoteAction

    from connectors.rasa_entry import check_action_responses_with_one_validator

    original = RemoteAction._validate_action_result
    try:
        check_action_responses_with_one_validator()
        action = RemoteAction("action_answer_topic", None)
        assert action._validate_action_result({"events": [], "responses": []}) is True
        with pytest.raises(jsonschema.ValidationError):
            action._validate_action_result({"events": "not a list", "responses": []})
    finally:
        RemoteAction._validate_action_result = original
