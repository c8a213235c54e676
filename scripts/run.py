"""Start the whole assistant: dossier service (8100), action server (5055), Rasa (5005) and the
web app (8000).

Children share our process group, so Ctrl-C or a SIGTERM to the group reaches all of them; we
also forward the signal ourselves, wait briefly, then kill stragglers so no port stays taken.
When one child dies, everything is stopped (a supervisor restarts the whole unit).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from channel_credentials import compose_credentials  # scripts/ is on sys.path: run directly

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
ACTION_PORT = int(os.environ.get("ACTION_PORT", "5055"))
RASA_PORT = int(os.environ.get("RASA_PORT", "5005"))
WEB_PORT = int(os.environ.get("WEB_PORT", "8000"))
WEB_HOST = os.environ.get("WEB_HOST", HOST)
DOSSIER_PORT = int(os.environ.get("DOSSIER_PORT", "8100"))


def child_env() -> dict[str, str]:
    env = os.environ.copy()
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env["SANIC_HOST"] = HOST  # rasa-sdk binds to this; loopback only
    if not env.get("RASA_API_TOKEN"):
        env["RASA_API_TOKEN"] = secrets.token_urlsafe(32)
        print("RASA_API_TOKEN not set: generated a random one for this run only.", flush=True)
    if not env.get("DOSSIER_SERVICE_TOKEN"):
        env["DOSSIER_SERVICE_TOKEN"] = secrets.token_urlsafe(32)
        print("DOSSIER_SERVICE_TOKEN not set: generated a random one for this run only.",
              flush=True)
    if not env.get("DOSSIER_OFFICER_TOKENS"):
        env["DOSSIER_OFFICER_TOKENS"] = json.dumps({secrets.token_urlsafe(32): ["*"]})
        print("DOSSIER_OFFICER_TOKENS not set: generated a random one for this run only.",
              flush=True)
    if not env.get("HANDOFF_SERVICE_TOKEN"):
        env["HANDOFF_SERVICE_TOKEN"] = secrets.token_urlsafe(32)
        print("HANDOFF_SERVICE_TOKEN not set: generated a random one for this run only.",
              flush=True)
    env.setdefault("HANDOFF_SERVICE_URL", f"http://{HOST}:{WEB_PORT}")
    env.setdefault("DOSSIER_SERVICE_URL", f"http://{HOST}:{DOSSIER_PORT}")
    env.setdefault("RASA_URL", f"http://{HOST}:{RASA_PORT}")
    env.setdefault("ACTION_SERVER_URL", f"http://{HOST}:{ACTION_PORT}/webhook")
    env.setdefault("PROFILE", "local")
    return env


def commands(env: dict[str, str]) -> list[tuple[str, list[str], str]]:
    endpoints = "endpoints.prod.yml" if env["PROFILE"] == "production" else "endpoints.yml"
    credentials, channels = compose_credentials(ROOT, env, ROOT / "var" / "credentials.run.yml")
    print(f"messaging channels: {', '.join(channels) or 'none configured'}", flush=True)
    return [
        ("dossiers", [str(BIN / "python"), "-m", "bot.dossiers", "serve", "--host", HOST,
                      "--port", str(DOSSIER_PORT)], f"http://{HOST}:{DOSSIER_PORT}/health"),
        ("actions", [str(BIN / "python"), "-m", "rasa_sdk", "--actions", "actions",
                     "--port", str(ACTION_PORT)], f"http://{HOST}:{ACTION_PORT}/health"),
        ("rasa", [str(BIN / "python"), "-m", "connectors.rasa_entry", "run",
                  "--model", "models/ondernemersloket.tar.gz", "--enable-api",
                  # `=` form: a random token may start with "-", which argparse would misread
                  f"--auth-token={env['RASA_API_TOKEN']}", "--interface", HOST,
                  "--port", str(RASA_PORT), "--endpoints", endpoints,
                  "--credentials", str(credentials)], f"http://{HOST}:{RASA_PORT}/"),
        ("web", [str(BIN / "python"), "-m", "bot.web", "--host", WEB_HOST,
                 "--port", str(WEB_PORT)], f"http://{HOST}:{WEB_PORT}/health"),
    ]


def wait_ready(url: str, proc: subprocess.Popen[bytes], deadline: float) -> bool:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback URL we built
                return True
        except OSError:
            time.sleep(0.5)
    return False


def stop_all(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    end = time.monotonic() + 10
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    os.chdir(ROOT)
    env = child_env()
    procs: list[subprocess.Popen[bytes]] = []
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for name, cmd, health in commands(env):
            print(f"starting {name}: {' '.join(cmd[:4])} ...", flush=True)
            proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL)
            procs.append(proc)
            if not wait_ready(health, proc, time.monotonic() + 180) and not stopping:
                print(f"{name} did not come up; stopping.", file=sys.stderr, flush=True)
                return 1
            if stopping:
                return 0
        print("\nOndernemersloket is running:", flush=True)
        print(f"  chat page        http://{WEB_HOST}:{WEB_PORT}/", flush=True)
        print(f"  Rasa REST        http://{HOST}:{RASA_PORT}/webhooks/rest/webhook", flush=True)
        print(f"  Rasa socket.io   http://{HOST}:{RASA_PORT}/socket.io", flush=True)
        print(f"  action server    http://{HOST}:{ACTION_PORT}/health", flush=True)
        print(f"  dossier service  http://{HOST}:{DOSSIER_PORT}/health", flush=True)
        print("Press Ctrl-C to stop.\n", flush=True)
        while not stopping:
            if any(p.poll() is not None for p in procs):
                print("a process exited; stopping everything.", file=sys.stderr, flush=True)
                return 1
            time.sleep(0.5)
        return 0
    finally:
        stop_all(procs)


if __name__ == "__main__":
    sys.exit(main())
