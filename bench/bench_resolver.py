"""Time MunicipalityRegistry.resolve on realistic messages.

Usage: .venv/bin/python bench/bench_resolver.py [--repeat N]

Messages: every NLU training example in data/nlu/*.yml (questions with and without a place,
bare place names, postcodes, typos), plus a few long messages. Prints the load time and the
mean / median / p95 microseconds per resolve after load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.municipalities import MunicipalityRegistry  # noqa: E402

EXTRA = [
    "ik heb een café in sint truiden en wil een terras",
    "Tiennen",
    "nee, in Aalst",
    "Ik heb al bijna negen jaar een kapperszaak in een gehuurd pand en de eigenaar wil de huur "
    "verhogen. Ik heb ook gehoord dat er werken komen in de straat. Kan ik daar iets tegen doen "
    "en is er ergens steun voor handelaars die last hebben van wegenwerken in hun buurt?",
]


def messages() -> list[str]:
    found = list(EXTRA)
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            if "intent" in block:
                found += [
                    line.strip()[2:] for line in block["examples"].splitlines() if line.strip()
                ]
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    registry = MunicipalityRegistry.from_csv(ROOT / "content" / "reference")
    loaded = time.perf_counter()
    registry.resolve("Tiennen")  # builds the typo index on first use
    warmed = time.perf_counter()

    texts = messages()
    timings = []
    for _ in range(args.repeat):
        for text in texts:
            begin = time.perf_counter_ns()
            registry.resolve(text)
            timings.append((time.perf_counter_ns() - begin) / 1000)
    timings.sort()
    statuses: dict[str, int] = {}
    for text in texts:
        status = registry.resolve(text).status
        statuses[status] = statuses.get(status, 0) + 1

    print(
        f"load: {(loaded - started) * 1000:.0f} ms, typo index: {(warmed - loaded) * 1000:.0f} ms"
    )
    print(f"messages: {len(texts)} x {args.repeat}, statuses: {statuses}")
    trimmed = timings[: int(len(timings) * 0.99)]  # without the slowest 1% (scheduler noise)
    print(
        f"per resolve: mean {statistics.fmean(timings):.0f} µs, "
        f"mean without slowest 1% {statistics.fmean(trimmed):.0f} µs, "
        f"median {statistics.median(timings):.0f} µs, "
        f"p95 {timings[int(len(timings) * 0.95)]:.0f} µs, max {timings[-1]:.0f} µs"
    )


if __name__ == "__main__":
    main()
