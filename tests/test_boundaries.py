"""Package boundaries that the layout promises (ruff bans Rasa imports in bot/; this checks
the edges between our own packages, which ruff cannot express)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# (package folder, module prefix it must never import, why)
FORBIDDEN = [
    ("bot/handoff", "bot.web", "the web app composes the console, not the other way round"),
    ("bot/webcore", "bot.web", "shared plumbing must not depend on the app that uses it"),
    ("bot/webcore", "bot.handoff", "shared plumbing must not depend on the app that uses it"),
    ("bot/dossiers/client", "bot.dossiers.service", "the action server never opens the dossier DB"),
    ("bot/dossiers/intake", "bot.dossiers.service", "the action server never opens the dossier DB"),
    ("bot/dossiers/service", "bot.dossiers.client", "the service does not call itself"),
    ("bot/dossiers/service", "bot.dossiers.intake", "the conversation runs in the action server"),
    ("actions", "bot.dossiers.service", "actions reach dossiers through the client only"),
    ("bot", "rasa", "bot/ is plain Python"),
    ("bot", "rasa_sdk", "bot/ is plain Python"),
    ("bot", "sanic", "bot/ is plain Python"),
]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def violates(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


@pytest.mark.parametrize(("folder", "prefix", "why"), FORBIDDEN)
def test_package_does_not_import(folder: str, prefix: str, why: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        for module in imported_modules(path)
        if violates(module, prefix)
    ]
    assert not offenders, f"{why}: {offenders}"


def test_checker_sees_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from bot.web.chat import page\nimport rasa.core\n", encoding="utf-8")
    found = imported_modules(sample)
    assert violates("bot.web.chat", "bot.web") and any(violates(m, "rasa") for m in found)
    assert not violates("bot.webcore.config", "bot.web")
