"""Run Locust headless (from its own virtualenv) against one stack and read its summary."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from launcher import ROOT

LOCUST = ROOT / ".venv-load" / "bin" / "locust"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")


@dataclass(frozen=True)
class LoadSettings:
    messages: int = 10_000
    users: int = 50
    spawn_rate: float = 10.0
    max_seconds: int = 3600  # a stuck run ends here, its summary says how far it got
    seed: int = 7


def run_locust(host: str, settings: LoadSettings, out_dir: Path) -> dict[str, Any]:
    """Drive `host` with `settings.users` owners until `settings.messages` are answered."""
    if not LOCUST.exists():
        raise SystemExit(f"{LOCUST} is missing: run `make loadtest` (it installs .venv-load)")
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = out_dir / "summary.json"
    env = {**os.environ, "LOAD_MESSAGES": str(settings.messages),
           "LOAD_SUMMARY": str(summary), "LOAD_SEED": str(settings.seed)}
    argv = [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--host", host,
            "--users", str(settings.users), "--spawn-rate", str(settings.spawn_rate),
            "--run-time", f"{settings.max_seconds}s", "--stop-timeout", "90",
            "--csv", str(out_dir / "locust"), "--only-summary", "--loglevel", "WARNING"]
    with (out_dir / "locust.log").open("w", encoding="utf-8") as log:
        subprocess.run(argv, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    if not summary.exists():
        tail = (out_dir / "locust.log").read_text(encoding="utf-8")[-2000:]
        raise RuntimeError(f"Locust wrote no summary; its log ends with:\n{tail}")
    return json.loads(summary.read_text(encoding="utf-8"))
