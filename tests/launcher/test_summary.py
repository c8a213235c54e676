"""The few lines `make run` prints once everything is up."""

from __future__ import annotations

from launcher import SERVICE_NAMES, Ports, make_run_config, plan_stack
from launcher.summary import startup_summary


def test_summary_names_services_urls_and_the_log_folder() -> None:
    plan = plan_stack(make_run_config({}), {"RASA_API_TOKEN": "given"})
    text = startup_summary(plan, SERVICE_NAMES, ["telegram"])
    assert "profile local, state in var/" in text
    for url in ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/officer/",
                "http://127.0.0.1:5005/webhooks/rest/webhook", "http://127.0.0.1:5005/socket.io",
                "http://127.0.0.1:5055/health", "http://127.0.0.1:8100/health"):
        assert url in text
    assert "Logs: var/log/<service>.log" in text
    assert "messaging channels: telegram" in text
    assert "generated for this run only: DOSSIER_SERVICE_TOKEN" in text
    assert "RASA_API_TOKEN" not in text  # given, so not generated; secrets never printed
    assert plan.env["DOSSIER_SERVICE_TOKEN"] not in text
    assert text.endswith("Press Ctrl-C to stop.")
    assert len(text.splitlines()) <= 10


def test_a_public_web_host_is_shown_with_its_own_address() -> None:
    config = make_run_config({"WEB_HOST": "192.0.2.10", "WEB_PORT": "9000"})
    plan = plan_stack(config, {})
    assert config.ports == Ports(web=9000)
    assert "chat page http://192.0.2.10:9000/" in startup_summary(plan, ("web",), [])
