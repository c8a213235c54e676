"""`python -m bench.loadtest [--messages N] [--users N] [--profiles production,local]`

Starts each profile in turn (production: HAProxy + replicas on the machine's servers, its
own PostgreSQL database), drives it with Locust, checks the stores, stops it, and prints one
table with a column per profile. `--doc` writes the table to docs/loadtest.md."""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from bench.loadtest.events import published_events
from bench.loadtest.locust_run import LoadSettings, run_locust
from bench.loadtest.profiles import servers, start_profile
from bench.loadtest.report import failure_lines, load_table
from bench.loadtest.verify import check_stores
from launcher import ROOT

STATE_ROOT = ROOT / "var" / "loadtest"
DOC = ROOT / "docs" / "loadtest.md"
DOC_MARK = "<!-- last loadtest run -->"


def run_profile(name: str, settings: LoadSettings) -> dict[str, Any]:
    with start_profile(name, STATE_ROOT) as profile:
        print(f"[{name}] up in {profile.stack.started_seconds or 0:.0f} s at {profile.rasa_url}; "
              f"{settings.messages} messages, {settings.users} conversations at once",
              flush=True)
        result = run_locust(profile.rasa_url, settings, profile.state_dir / "locust")
        result["stores"] = check_stores(profile, result["conversations"])
        if profile.database is not None:  # production: did every turn reach RabbitMQ?
            result["events"] = published_events(servers(os.environ), profile.database)
            print(f"[{name}] owner turns stored {result['events']['stored_turns']}, consumed "
                  f"from RabbitMQ {result['events']['consumed_turns']}", flush=True)
        print(f"[{name}] {result['messages']} messages in {result['seconds']:.0f} s", flush=True)
        return result


def write_doc(table: str, failures: list[str], settings: LoadSettings) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    head = text.split(DOC_MARK)[0].rstrip() + "\n\n" if DOC_MARK in text else text
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    body = (f"{DOC_MARK}\n## Last run\n\n{stamp}: {settings.messages:,} messages per profile, "
            f"{settings.users} conversations at once.\n\n{table}\n")
    if failures:
        body += "\nFailed messages by reason:\n\n" + "\n".join(failures) + "\n"
    DOC.write_text(head + body, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=LoadSettings.messages)
    parser.add_argument("--users", type=int, default=LoadSettings.users)
    parser.add_argument("--profiles", default="production,local")
    parser.add_argument("--doc", action="store_true", help="write the table to docs/loadtest.md")
    args = parser.parse_args()
    settings = LoadSettings(messages=args.messages, users=args.users)
    results = {name: run_profile(name, settings) for name in args.profiles.split(",") if name}
    table, failures = load_table(results), failure_lines(results)
    print("\n" + table)
    if failures:
        print("\n".join(["", "Failed messages by reason:", *failures]))
    if args.doc:
        write_doc(table, failures, settings)
    (STATE_ROOT / "last.json").write_text(json.dumps(
        {n: {k: v for k, v in r.items() if k not in ("conversations", "stores")}
         for n, r in results.items()}, indent=1), encoding="utf-8")
    clean = all(r["failed_messages"] == 0 and all(c.ok for c in r["stores"])
                and r.get("events", {}).get("not_published", 0) == 0
                for r in results.values())
    return 0 if clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
