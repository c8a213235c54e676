"""Whole stack against stock Rasa, in one run on this machine (issue 12).

Our local profile (action server + Rasa with the SQLite tracker store, started with the
launcher's plan) and a stock `rasa init` bot built with the same Rasa (bench/stock.py), both
over the REST channel on free ports, loaded by the same in-process aiohttp client. Each
scenario runs on both bots back to back (the order alternates), so a ratio compares figures
measured a few seconds apart; absolute times on this shared machine drift from run to run.

Usage: .venv/bin/python bench/bench_stack.py [--quick]
Prints the ratios (ours/stock) first, then the absolute figures; keeps them in
var/bench/last.json and var/bench/last.md (the table for docs/performance.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import Check, Run, measure, percentile  # noqa: E402
from bench.procs import STATE, VARIANTS, Proc, start_ours, start_stock, stop  # noqa: E402
from bench.stock import CUSTOM_ACTION_REPLY, CUSTOM_ACTION_TEXT, ensure_stock_bot  # noqa: E402

MODEL = ROOT / "models" / "ondernemersloket.tar.gz"
ACTION_ERROR = "Encountered an exception while running action"  # Rasa's log line (e.g. timeout)

# Eight turns of an owner: greeting, topic questions (action_answer_topic), a municipality,
# thanks. The first topic question is the custom-action turn of the figures.
OURS_TOPIC = "mag ik een terras zetten in Aalst?"
OURS = (
    "goeiedag",
    OURS_TOPIC,
    "eigenlijk zit mijn zaak in Lokeren",
    "merci, dat helpt",
    "hoe vraag ik de kmo-portefeuille aan?",
    "postcode 9200",
    "heb ik een vergunning nodig voor een uithangbord?",
    "dank je wel",
)
# rasa init's own English examples (data/nlu.yml of the template).
STOCK = (
    "hey",
    CUSTOM_ACTION_TEXT,
    "perfect",
    "good morning",
    "I am sad",
    "yes",
    "are you a bot?",
    "goodbye",
)
# What each turn must show in the reply contract (so its custom action ran, not the apology).
OURS_TOPICS = {OURS_TOPIC: "terrasvergunning",
               "hoe vraag ik de kmo-portefeuille aan?": "kmo_portefeuille",
               "heb ik een vergunning nodig voor een uithangbord?": "reclame_uithangbord"}
OURS_PLACES = {"eigenlijk zit mijn zaak in Lokeren": "Lokeren", "postcode 9200": "Dendermonde"}


def check_ours(text: str, reply: list[dict[str, Any]]) -> bool:
    """Every message carries the reply contract under `custom`; topic questions got their
    topic and places their municipality (so the custom action ran, not the apology)."""
    if not reply or not all(isinstance(m.get("custom"), dict) for m in reply):
        return False
    customs = [m["custom"] for m in reply]
    if text in OURS_TOPICS:
        return any(c.get("topic") == OURS_TOPICS[text] for c in customs)
    if text in OURS_PLACES:
        return any(c.get("municipality") == OURS_PLACES[text] for c in customs)
    return True


def check_stock(text: str, reply: list[dict[str, Any]]) -> bool:
    if not reply:
        return False
    if text == CUSTOM_ACTION_TEXT:
        return any(m.get("text") == CUSTOM_ACTION_REPLY for m in reply)
    return True


@dataclass
class Bot:
    name: str
    url: str
    procs: list[Proc]
    messages: Sequence[str]
    custom_text: str
    check: Check
    runs: dict[str, Run] = field(default_factory=dict)

    def run(self, key: str, conversations: Sequence[Sequence[str]], concurrency: int) -> Run:
        result = measure(self.url, conversations, self.check, concurrency)
        self.runs[key] = result
        return result

    def conversations(self, count: int, turns: int) -> list[list[str]]:
        return [[self.messages[i % len(self.messages)] for i in range(turns)]
                for _ in range(count)]


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def scenarios(quick: bool) -> list[tuple[str, int, int, int]]:
    """(key, conversations, turns each, concurrency)."""
    scale = 2 if quick else 1
    return [
        ("single", 12 // scale, 8, 1),
        ("long", 1, 100, 1),
        ("c20", 20, 8 // scale, 20),
        ("c50", 50, 8 // scale, 50),
    ]


def figures(bot: Bot) -> dict[str, float]:
    single, long_run = bot.runs["single"], bot.runs["long"]
    c20, c50 = bot.runs["c20"], bot.runs["c50"]
    long_ms = [t.ms for t in sorted(long_run.turns, key=lambda t: t.index)]
    rasa = next(p for p in bot.procs if p.name == "rasa")
    actions = next(p for p in bot.procs if p.name == "actions")
    rasa_rss, rasa_peak = rasa.memory_mb()
    actions_rss, actions_peak = actions.memory_mb()
    return {
        "single_p50_ms": percentile(single.ms(), 0.5),
        "single_p95_ms": percentile(single.ms(), 0.95),
        "custom_action_p50_ms": percentile(single.ms(bot.custom_text), 0.5),
        "c20_msg_per_s": c20.throughput,
        "c20_p95_ms": percentile(c20.ms(), 0.95),
        "c50_msg_per_s": c50.throughput,
        "c50_p95_ms": percentile(c50.ms(), 0.95),
        "turns_1_10_p50_ms": percentile(long_ms[:10], 0.5),
        "turns_91_100_p50_ms": percentile(long_ms[90:100], 0.5),
        "long_growth": percentile(long_ms[90:100], 0.5) / percentile(long_ms[:10], 0.5),
        "rasa_rss_mb": rasa_rss,
        "rasa_peak_rss_mb": rasa_peak,
        "actions_rss_mb": actions_rss,
        "actions_peak_rss_mb": actions_peak,
        "rasa_startup_s": rasa.ready_seconds,
        "actions_startup_s": actions.ready_seconds,
        "failures": float(sum(run.failures for run in bot.runs.values())),
        "turns": float(sum(len(run.turns) for run in bot.runs.values())),
        "action_errors": float(rasa.log.read_text(errors="replace").count(ACTION_ERROR)),
    }


# (key, label, unit, "lower" or "higher" is better)
ROWS: list[tuple[str, str, str, str]] = [
    ("single_p50_ms", "single-user p50", "ms", "lower"),
    ("single_p95_ms", "single-user p95", "ms", "lower"),
    ("custom_action_p50_ms", "custom-action turn p50 (single user)", "ms", "lower"),
    ("c20_msg_per_s", "throughput, 20 concurrent conversations", "msg/s", "higher"),
    ("c20_p95_ms", "p95, 20 concurrent conversations", "ms", "lower"),
    ("c50_msg_per_s", "throughput, 50 concurrent conversations", "msg/s", "higher"),
    ("c50_p95_ms", "p95, 50 concurrent conversations", "ms", "lower"),
    ("turns_1_10_p50_ms", "one conversation, turns 1-10 p50", "ms", "lower"),
    ("turns_91_100_p50_ms", "one conversation, turns 91-100 p50", "ms", "lower"),
    ("long_growth", "growth turns 91-100 / turns 1-10", "x", "lower"),
    ("production_c50_msg_per_s", "production profile (proxy + replicas), throughput at 50",
     "msg/s", "higher"),
    ("rasa_rss_mb", "Rasa RSS after the run", "MB", "lower"),
    ("rasa_peak_rss_mb", "Rasa peak RSS (VmHWM)", "MB", "lower"),
    ("actions_rss_mb", "action server RSS after the run", "MB", "lower"),
    ("rasa_startup_s", "Rasa start-up to ready (trained model)", "s", "lower"),
    ("actions_startup_s", "action server start-up to ready", "s", "lower"),
]


def fmt(value: float, unit: str) -> str:
    if value != value:  # NaN
        return "n/a"
    if unit in ("ms", "MB"):
        return f"{value:.0f} {unit}"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:.1f} {unit}"


def ratio_text(ours: float, stock: float, better: str) -> str:
    if not stock or ours != ours or stock != stock:
        return "n/a"
    ratio = ours / stock
    good = ratio <= 1 if better == "lower" else ratio >= 1
    return f"{ratio:.2f}x ({'better' if good else 'worse'})"


def report(ours: dict[str, float], stock: dict[str, float], meta: dict[str, str]) -> str:
    width = max(len(label) for _, label, _, _ in ROWS)
    lines = ["ratios ours/stock (one run, same machine; throughput: higher is better, "
             "everything else: lower is better)"]
    lines += [f"  {label:<{width}}  {ratio_text(ours[key], stock[key], better)}"
              for key, label, _, better in ROWS]
    lines.append("")
    lines.append(f"  {'absolute':<{width}}  {'ours':>10}  {'stock':>10}")
    lines += [f"  {label:<{width}}  {fmt(ours[key], unit):>10}  {fmt(stock[key], unit):>10}"
              for key, label, unit, _ in ROWS]
    lines.append(f"  {'failed turns / turns':<{width}}  {ours['failures']:.0f}/{ours['turns']:.0f}"
                 f"  {stock['failures']:.0f}/{stock['turns']:.0f}")
    lines.append(f"  action errors in the Rasa logs {ours['action_errors']:.0f}"
                 f"  {stock['action_errors']:.0f}")
    lines.append(f"  ours: {meta['variant']}; load average at start {meta['load_start']}, "
                 f"at end {meta['load_end']} ({os.cpu_count()} cores); {meta['date']}")
    return "\n".join(lines)


def markdown(ours: dict[str, float], stock: dict[str, float], meta: dict[str, str]) -> str:
    lines = [f"Run of {meta['date']}, ours {meta['variant']} (load average "
             f"{meta['load_start']} at start, {meta['load_end']} at end, {os.cpu_count()} cores).",
             "",
             "| figure | ours | stock `rasa init` | ours/stock |", "|---|---|---|---|"]
    lines += [f"| {label} | {fmt(ours[key], unit)} | {fmt(stock[key], unit)} | "
              f"{ratio_text(ours[key], stock[key], better)} |" for key, label, unit, better in ROWS]
    lines.append(f"| failed turns | {ours['failures']:.0f} of {ours['turns']:.0f} | "
                 f"{stock['failures']:.0f} of {stock['turns']:.0f} | |")
    lines.append(f"| action errors (Rasa log) | {ours['action_errors']:.0f} | "
                 f"{stock['action_errors']:.0f} | |")
    return "\n".join(lines) + "\n"


def warm_up(bot: Bot) -> None:
    bot.run("warmup", bot.conversations(1, len(bot.messages)), 1)
    bot.runs.pop("warmup")


def production_throughput(stock: Bot, concurrency: int, turns: int) -> tuple[Run, Run]:
    """The production run and the stock run right after it: the production
    profile as `PROFILE=production make run` starts it (HAProxy, 2 Rasa, 2 action server and
    2 web app replicas, the dossier service) on this machine's PostgreSQL (a database made for
    the run), Redis and RabbitMQ, loaded through the proxy like the local profile."""
    from bench.loadtest.profiles import start_profile

    with start_profile("production", STATE / "production-state") as profile:
        rasa = [r for r in profile.stack.running if r.service.service == "rasa"]
        production = Bot("production", profile.rasa_url, [], OURS, OURS_TOPIC, check_ours)
        warm_up(production)
        ours_run = production.run("c50", production.conversations(concurrency, turns),
                                  concurrency)
        print(f"  production ({len(rasa)} Rasa replicas) {len(ours_run.turns)} turns in "
              f"{ours_run.seconds:5.1f} s, failed {ours_run.failures}", file=sys.stderr,
              flush=True)
    stock_run = stock.run("c50-production", stock.conversations(concurrency, turns), concurrency)
    return ours_run, stock_run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="half the conversations")
    parser.add_argument("--no-production", action="store_true",
                        help="leave out the production profile (needs PostgreSQL, Redis, "
                             "RabbitMQ and haproxy)")
    parser.add_argument("--ours-variant", choices=VARIANTS, default="as-is",
                        help="measure a proposal on our side (see bench/procs.py)")
    args = parser.parse_args(argv)
    if not MODEL.exists():
        print("no trained model: run make train", file=sys.stderr)
        return 1
    project = ensure_stock_bot()
    meta = {"load_start": loadavg(), "variant": args.ours_variant,
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    procs: list[Proc] = []
    try:
        stock_stack = start_stock(project, STATE / "stock-state")
        procs += stock_stack.procs
        ours_stack = start_ours(STATE / "ours-state", variant=args.ours_variant)
        procs += ours_stack.procs
        bots = [Bot("ours", ours_stack.url, ours_stack.procs, OURS, OURS_TOPIC, check_ours),
                Bot("stock", stock_stack.url, stock_stack.procs, STOCK, CUSTOM_ACTION_TEXT,
                    check_stock)]
        for bot in bots:
            warm_up(bot)
        for number, (key, count, turns, concurrency) in enumerate(scenarios(args.quick)):
            order = bots if number % 2 == 0 else bots[::-1]
            for bot in order:
                result = bot.run(key, bot.conversations(count, turns), concurrency)
                print(f"  {key:<6} {bot.name:<5} {len(result.turns):>4} turns in "
                      f"{result.seconds:5.1f} s, p50 {percentile(result.ms(), 0.5):5.0f} ms, "
                      f"failed {result.failures} (unanswered {result.unanswered})",
                      file=sys.stderr, flush=True)
        ours, stock = figures(bots[0]), figures(bots[1])
        ours["production_c50_msg_per_s"] = stock["production_c50_msg_per_s"] = float("nan")
        if not args.no_production:
            stop(ours_stack.procs[::-1])  # the whole machine goes to the production profile
            procs = stock_stack.procs
            try:
                count, turns = next((c, t) for k, c, t, _ in scenarios(args.quick) if k == "c50")
                production, again = production_throughput(bots[1], count, turns)
                for figure, run in ((ours, production), (stock, again)):
                    figure["production_c50_msg_per_s"] = run.throughput
                    figure["failures"] += run.failures
                    figure["turns"] += len(run.turns)
            except Exception as error:  # a server missing: the rest of the bench still counts
                print(f"  production profile not measured: {error!r}", file=sys.stderr)
        meta["load_end"] = loadavg()
    finally:
        stop(procs[::-1])
    print(report(ours, stock, meta))
    STATE.mkdir(parents=True, exist_ok=True)
    name = "last" if args.ours_variant == "as-is" else f"last-{args.ours_variant}"
    (STATE / f"{name}.json").write_text(json.dumps({"meta": meta, "ours": ours, "stock": stock},
                                                indent=2), encoding="utf-8")
    (STATE / f"{name}.md").write_text(markdown(ours, stock, meta), encoding="utf-8")
    print(f"  table for docs/performance.md: {(STATE / f'{name}.md').relative_to(ROOT)}")
    return 1 if ours["failures"] or stock["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
