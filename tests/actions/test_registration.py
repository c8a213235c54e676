"""Every custom action the domain names is served by the action server, and nothing else."""

from __future__ import annotations

from rasa_sdk.executor import ActionExecutor

from tests.conftest import ROOT


def domain_custom_actions() -> set[str]:
    import yaml

    names: set[str] = set()
    for path in (ROOT / "domain").glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names |= {a for a in data.get("actions", []) if not a.startswith("utter_")}
    return names


def test_action_server_serves_exactly_the_domain_actions():
    executor = ActionExecutor()
    executor.register_package("actions")
    registered = set(executor.actions)
    missing = domain_custom_actions() - registered
    assert not missing, f"domain actions without implementation: {missing}"
    assert registered <= domain_custom_actions() | {"action_session_start"}
