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


def production_table() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Production profile", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_the_production_table_matches_the_launchers_plan(tmp_path: Path) -> None:
    plan = plan_stack(make_run_config({"PROFILE": "production"}, tmp_path), {})
    rows = production_table()
    groups = list(dict.fromkeys(service.service for service in plan.services))
    assert [row[0].strip("`") for row in rows] == groups == ["proxy", *SERVICE_NAMES]
    haproxy_cfg = plan.files[0][1]
    for row in rows[1:]:
        name = row[0].strip("`")
        members = plan.members(name)
        count = re.sub(r"`[A-Z_]+` \((\d+)\)", r"\1", row[1])
        assert count == str(len(members)), (name, row[1])
        variable = {"rasa": "RASA_REPLICAS", "actions": "ACTION_REPLICAS",
                    "web": "WEB_REPLICAS"}.get(name)
        if variable is not None:
            assert f"`{variable}`" in row[1]
        assert row[2] == str(plan.config.ports.of(name))
        health = row[3].strip("`")
        assert members[0].health_url.endswith(f":{members[0].port}{health}")
        backend = haproxy_cfg.split(f"\nbackend {name}\n", 1)[1].split("\n\n", 1)[0]
        assert f"option httpchk GET {health}\n" in backend
