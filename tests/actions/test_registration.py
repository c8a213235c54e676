"""Every custom action the domain names is served by the action server, and nothing else."""

from __future__ import annotations

import inspect

import yaml
from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.utils import all_subclasses

from tests.conftest import ROOT


def domain_custom_actions() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "domain").glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names |= {a for a in data.get("actions", []) if not a.startswith("utter_")}
    return names


def project_actions() -> set[str]:
    # Test doubles defined in tests/ are Action subclasses too; only actions/ counts here.
    return {cls().name() for cls in all_subclasses(Action)
            if cls.__module__.startswith("actions.") and not inspect.isabstract(cls)}


def test_action_server_serves_exactly_the_domain_actions():
    executor = ActionExecutor()
    executor.register_package("actions")
    served = project_actions()
    assert served <= set(executor.actions)
    missing = domain_custom_actions() - served
    assert not missing, f"domain actions without implementation: {missing}"
    extra = served - domain_custom_actions()
    assert not extra, f"actions missing from the domain: {extra}"
