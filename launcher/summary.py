"""The few lines `make run` prints once everything is up."""

from __future__ import annotations

from pathlib import Path

from launcher.config import PROXY
from launcher.services import Service, StackPlan


def shown_path(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve())) + "/"
    except ValueError:
        return str(path) + "/"


def _groups(plan: StackPlan, names: tuple[str, ...]) -> list[list[Service]]:
    """The started processes by service, in start order (`rasa-1`, `rasa-2` together)."""
    groups: dict[str, list[Service]] = {}
    for name in names:
        service = plan.service(name)
        groups.setdefault(service.service, []).append(service)
    return list(groups.values())


def _behind_proxy(members: list[Service]) -> str:
    count = len(members)
    ports = ", ".join(f"{service.name} :{service.port}" for service in members)
    return f"   [{count} behind the proxy: {ports}]"


def startup_summary(plan: StackPlan, names: tuple[str, ...], channels: list[str],
                    started_seconds: float | None = None) -> str:
    config = plan.config
    groups = _groups(plan, names)
    width = max(len(members[0].description) for members in groups)
    took = f", up in {started_seconds:.0f} s" if started_seconds is not None else ""
    lines = [f"Ondernemersloket is running (profile {config.profile}, state in "
             f"{shown_path(config.state_dir, config.root)}{took}):"]
    for members in groups:
        first = members[0]
        urls = "   ".join(f"{label} {url}" for label, url in first.urls)
        proxied = config.proxied and first.name != PROXY
        lines.append(f"  {first.description:<{width}}  {urls}"
                     f"{_behind_proxy(members) if proxied else ''}")
    lines.append(f"  messaging channels: {', '.join(channels) or 'none configured'}")
    if plan.generated:
        lines.append(f"  generated for this run only: {', '.join(plan.generated)}")
    lines.append(f"Logs: {shown_path(config.log_dir, config.root)}<service>.log "
                 "(LOG_LEVEL=DEBUG for more).")
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)
