"""`python -m bench.loadtest.faulttest [--short]` (`make faulttest`): the production profile
under Locust load while five faults hit it; then a table of faults and what each cost, and the
stores checked for lost or duplicated dossiers and hand-off requests and for events that never
reached RabbitMQ. Exit status 1 when anything was lost."""

from __future__ import annotations

import argparse
import os
import time

from bench.loadtest.events import progress, published_events
from bench.loadtest.fault_proxy import fault_proxy
from bench.loadtest.faults import FaultContext, cost, run_faults, schedule
from bench.loadtest.locust_run import LoadSettings, LocustRun
from bench.loadtest.profiles import servers, start_profile
from bench.loadtest.report import fault_table, load_table
from bench.loadtest.verify import check_stores
from launcher import ROOT

STATE_ROOT = ROOT / "var" / "faulttest"
SETTLE_SECONDS = 20.0  # load goes on this long after the last fault before it is stopped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--short", action="store_true", help="CI: faults 20 s apart")
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    values = servers(os.environ)
    STATE_ROOT.mkdir(parents=True, exist_ok=True)
    faults = schedule(args.short)
    targets = {"redis": f"{values['REDIS_HOST']}:{values['REDIS_PORT']}",
               "rabbitmq": f"{values['RABBITMQ_HOST']}:{values['RABBITMQ_PORT']}"}
    with fault_proxy(STATE_ROOT, targets, os.environ) as proxy:
        extra = {"REDIS_PORT": str(proxy.ports["redis"]),
                 "RABBITMQ_PORT": str(proxy.ports["rabbitmq"])}
        with start_profile("production", STATE_ROOT, extra) as profile:
            print(f"production profile up at {profile.rasa_url}; faults:", flush=True)
            settings = LoadSettings(messages=1_000_000, users=args.users)
            load = LocustRun(profile.rasa_url, settings, profile.state_dir / "locust")
            started = time.time()
            context = FaultContext(profile, proxy, values)
            assert profile.database is not None
            database = profile.database
            injected = run_faults(faults, context, started, load.running,
                                  lambda: progress(values, database))
            time.sleep(SETTLE_SECONDS)
            load.stop()
            result = load.wait()
            result["stores"] = check_stores(profile, result["conversations"])
            events = published_events(values, database)
    rows = cost(injected, result["timeline"])
    print("\n" + fault_table(rows, started))
    print("\n" + load_table({"production under faults": result}))
    print(f"\nowner turns stored {events['stored_turns']}, consumed from RabbitMQ "
          f"{events['consumed_turns']}, not published {events['not_published']}")
    lost = (sum(row["no_reply"] for row in rows) + result["lost_replies"]
            + result["empty_replies"] + events["not_published"]
            + sum(c.duplicated + c.missing for c in result["stores"]))
    all_injected = len(injected) == len(faults)
    if not all_injected:
        print(f"only {len(injected)} of {len(faults)} faults were injected (the load ended)")
    return 0 if lost == 0 and all_injected else 1


if __name__ == "__main__":
    raise SystemExit(main())
