"""Messaging channels are added to Rasa's credentials only when their variables are set."""

from __future__ import annotations

from pathlib import Path

import pytest
import rasa.shared.utils.io

from connectors.botframework import TeamsWebhookInput
from connectors.telegram import TelegramInput
from scripts.channel_credentials import compose_credentials

ROOT = Path(__file__).resolve().parents[2]
TELEGRAM = {"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_SECRET_TOKEN": "s3cret"}


def test_without_variables_rasa_gets_the_plain_credentials(tmp_path: Path) -> None:
    path, channels = compose_credentials(ROOT, {}, tmp_path / "credentials.yml")
    assert (path, channels) == (ROOT / "credentials.yml", [])
    half = {"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"}  # number and URL missing
    assert compose_credentials(ROOT, half, tmp_path / "c.yml")[1] == []


def test_configured_channels_are_added_and_rasa_fills_in_the_variables(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {**TELEGRAM, "TEAMS_WEBHOOK_SECURITY_TOKEN": "a2V5"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path, channels = compose_credentials(ROOT, env, tmp_path / "credentials.yml")
    assert channels == ["connectors.telegram.TelegramInput",
                        "connectors.botframework.TeamsWebhookInput"]
    loaded = rasa.shared.utils.io.read_config_file(path)
    assert {"connectors.widget.WidgetInput", "connectors.rest.ContractRestInput"} <= set(loaded)
    telegram = TelegramInput.from_credentials(loaded["connectors.telegram.TelegramInput"])
    assert (telegram.access_token, telegram.secret_token) == ("123:abc", "s3cret")
    teams = TeamsWebhookInput.from_credentials(loaded["connectors.botframework.TeamsWebhookInput"])
    assert teams.security_token == "a2V5"
