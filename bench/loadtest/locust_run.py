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


class LocustRun:
    """Locust driving `host` with `settings.users` owners until `settings.messages` are
    answered, or until `stop()` (then the messages in flight are still answered)."""

    def __init__(self, host: str, settings: LoadSettings, out_dir: Path) -> None:
        if not LOCUST.exists():
            raise SystemExit(f"{LOCUST} is missing: `make loadtest` installs .venv-load")
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self.summary = out_dir / "summary.json"
        self.stop_file = out_dir / "stop"
        env = {**os.environ, "LOAD_MESSAGES": str(settings.messages),
               "LOAD_SUMMARY": str(self.summary), "LOAD_SEED": str(settings.seed),
               "LOAD_STOP_FILE": str(self.stop_file)}
        argv = [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--host", host,
                "--users", str(settings.users), "--spawn-rate", str(settings.spawn_rate),
                "--run-time", f"{settings.max_seconds}s", "--stop-timeout", "90",
                "--csv", str(out_dir / "locust"), "--only-summary", "--loglevel", "WARNING"]
        self._log = (out_dir / "locust.log").open("w", encoding="utf-8")
        self.process = subprocess.Popen(argv, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT)

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        self.stop_file.touch()

    def wait(self) -> dict[str, Any]:
        self.process.wait()
        self._log.close()
        if not self.summary.exists():
            tail = (self.out_dir / "locust.log").read_text(encoding="utf-8")[-2000:]
            raise RuntimeError(f"Locust wrote no summary; its log ends with:\n{tail}")
        return json.loads(self.summary.read_text(encoding="utf-8"))


def run_locust(host: str, settings: LoadSettings, out_dir: Path) -> dict[str, Any]:
    return LocustRun(host, settings, out_dir).wait()
