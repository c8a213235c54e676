"""The actions' services object: built from settings, once per process, replaceable by tests,
and the content it was built from is the content that answers."""

from __future__ import annotations

import shutil
from pathlib import Path

from rasa_sdk.executor import CollectingDispatcher

from actions import services as services_module
from actions.knowledge import ActionAnswerTopic
from actions.services import Services, services
from actions.settings import ActionSettings
from tests.actions.helpers import make_tracker
from tests.conftest import ROOT

SMALL_TENANT = ROOT / "tests" / "fixtures" / "tenant-small" / "small.yml"


def small_content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("tenants"))
    (content / "tenants").mkdir()
    shutil.copy(SMALL_TENANT, content / "tenants" / "small.yml")
    return content


async def answer(text: str, intent: str) -> list[dict]:
    dispatcher = CollectingDispatcher()
    await ActionAnswerTopic().run(dispatcher, make_tracker(text, intent), {})
    return dispatcher.messages


async def test_a_test_tenant_answers_instead_of_the_real_one(tmp_path):
    settings = ActionSettings(content_dir=small_content(tmp_path), tenant="small")
    services_module.install(Services.load(settings))
    local = await answer("mag ik een terras zetten in Aalst?", "ask_terrasvergunning")
    assert local[-1]["counter_name"] == "Testloket Aalst"
    assert local[0]["custom"]["counter"] == "testloket_aalst"
    agency = await answer("hoe werkt de kmo-portefeuille?", "ask_kmo_portefeuille")
    assert agency[-1]["counter_name"] == "Testagentschap voor subsidies"


def test_settings_come_from_the_environment_with_documented_defaults(tmp_path):
    env = {"CONTENT_DIR": str(tmp_path), "TENANT": "small",
           "DOSSIER_SERVICE_URL": "http://127.0.0.1:9999", "DOSSIER_OUTBOX_INTERVAL_SECONDS": "5"}
    settings = ActionSettings.from_env(env)
    assert settings.content_dir == tmp_path and settings.tenant == "small"
    assert settings.dossier_configured and settings.outbox_interval_seconds == 5.0
    defaults = ActionSettings.from_env({})
    assert defaults.tenant == "oost-vlaanderen" and not defaults.dossier_configured
    assert defaults.content_dir == ROOT / "content"
    assert defaults.dossier_url == "http://127.0.0.1:8100"


def test_services_are_built_once_and_reloaded_after_install_none(monkeypatch, tmp_path):
    monkeypatch.setenv("CONTENT_DIR", str(small_content(tmp_path)))
    monkeypatch.setenv("TENANT", "small")
    services_module.install(None)
    first = services()
    assert first is services()  # one per process
    assert first.tenant.id == "small"
    services_module.install(None)
    assert services() is not first
