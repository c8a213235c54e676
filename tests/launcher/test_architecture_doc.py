"""docs/architecture.md lists exactly the services the launcher starts, with their commands and
default ports, and names the state files the launcher really puts in the state directory."""

from __future__ import annotations

import re
from pathlib import Path

from launcher import ROOT, SERVICE_NAMES, StackConfig, make_run_config, plan_stack

DOC = ROOT / "docs" / "architecture.md"


def services_table() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Services", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_the_doc_lists_exactly_the_launched_services_in_start_order() -> None:
    plan = plan_stack(make_run_config({}), {})
    names = [re.sub(r"`", "", row[0]) for row in services_table()]
    assert names == [service.name for service in plan.services] == list(SERVICE_NAMES)


def test_commands_and_default_ports_match() -> None:
    plan = plan_stack(make_run_config({}), {})
    for row in services_table():
        service = plan.service(row[0].strip("`"))
        command = " ".join(["python", *service.argv[1:]])
        assert command.startswith(row[1].strip("`")), (row[1], command)
        assert row[2].split()[0] == str(service.port)
        assert row[3].strip("`") in service.health_url


def test_state_files_named_in_the_doc_are_the_launchers(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    env = plan_stack(StackConfig(state_dir=tmp_path), {}).env
    for variable in ("HANDOFF_DB", "DOSSIER_DB_URL", "DOSSIER_OUTBOX_PATH", "FEEDBACK_DB"):
        name = Path(env[variable]).name
        assert f"var/{name}" in text, f"{variable}: var/{name} missing from the doc"
        assert f"`{variable}`" in text
