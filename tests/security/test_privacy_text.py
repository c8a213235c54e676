"""The owners' privacy text (content/privacy.yml) promises exactly the retention the purge job
enforces: its periods are the tenant's `retention_days`, never numbers of its own."""

from __future__ import annotations

import re
import string
from dataclasses import asdict

import yaml

from bot.counters import load_tenant
from tests.conftest import ROOT

TEXT = ROOT / "content" / "privacy.yml"
TENANTS = sorted((ROOT / "content" / "tenants").glob("*.yml"))


def load() -> dict:
    return yaml.safe_load(TEXT.read_text(encoding="utf-8"))


def test_every_period_comes_from_the_tenants_retention() -> None:
    data = load()
    placeholders = {name for section in data["sections"]
                    for _, name, _, _ in string.Formatter().parse(section["text"]) if name}
    retention = set(asdict(load_tenant(TENANTS[0]).retention)) - {"closed_dossiers"}
    assert placeholders <= retention | {"controller", "dpo_contact", "counter_contact"}
    assert retention <= placeholders  # every enforced period is told to the owner
    for section in data["sections"]:
        assert not re.search(r"\d+\s*(dagen|maanden|jaar)", section["text"])


def test_the_text_fills_in_for_every_tenant() -> None:
    data = load()
    controller = {k: v for k, v in data["controller"].items() if k != "example"}
    for path in TENANTS:
        days = asdict(load_tenant(path).retention)
        for section in data["sections"]:
            text = section["text"].format(controller=controller["name"], **controller, **days)
            assert "{" not in text and section["heading"]
        assert "verwijder mijn gegevens" in str(data)  # the erasure the chat offers
