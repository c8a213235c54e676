"""The few lines `make run` prints once everything is up."""

from __future__ import annotations

from pathlib import Path

from launcher.services import StackPlan


def shown_path(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve())) + "/"
    except ValueError:
        return str(path) + "/"


def startup_summary(plan: StackPlan, names: tuple[str, ...], channels: list[str]) -> str:
    config = plan.config
    width = max(len(plan.service(name).description) for name in names)
    lines = [f"Ondernemersloket is running (profile {config.profile}, state in "
             f"{shown_path(config.state_dir, config.root)}):"]
    for name in names:
        service = plan.service(name)
        urls = "   ".join(f"{label} {url}" for label, url in service.urls)
        lines.append(f"  {service.description:<{width}}  {urls}")
    lines.append(f"  messaging channels: {', '.join(channels) or 'none configured'}")
    if plan.generated:
        lines.append(f"  generated for this run only: {', '.join(plan.generated)}")
    lines.append(f"Logs: {shown_path(config.log_dir, config.root)}<service>.log "
                 "(LOG_LEVEL=DEBUG for more).")
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)
