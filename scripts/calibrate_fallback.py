"""Calibrate FallbackClassifier's `threshold` and `ambiguity_threshold` on held-out parse results.

Input: the JSON written by scripts/nlu_parse_eval.py (the classifier's own intent ranking for
every message of the held-out sets). For each pair of values the fallback is replayed as Rasa
does it: `nlu_fallback` when the top confidence is below `threshold` or the gap between the top
two is below `ambiguity_threshold`. Each message then costs:

* a wrong intent that is answered anyway: `--wrong-cost` (default 2: a wrong answer sends the
  owner the wrong way and is harder to recover from than a question back);
* a clarification on a message that was understood: 1 (a person would simply have answered);
* a right answer, a clarification on a misunderstood message, or on an `out_of_scope` one: 0.

The cost is averaged per set and the sets are weighted equally (give the parse results of
several trainings of the same set-up to average out training noise: every set of every file
counts once); the pair with the lowest cost
wins (ties: fewer clarifications, then the lower values). Prints the best pairs, the outcome per
set and the share of clarifications on topic questions.

    .venv/bin/python scripts/calibrate_fallback.py var/nlu-eval/x/parse.json [more parse.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

TOPIC_PREFIX = "ask_"
THRESHOLDS = [round(0.05 * i, 2) for i in range(2, 19)]       # 0.10 … 0.90
AMBIGUITIES = [round(0.01 * i, 2) for i in range(0, 31, 2)]   # 0.00 … 0.30


def falls_back(ranking: list[list[Any]], threshold: float, ambiguity: float) -> bool:
    top = float(ranking[0][1]) if ranking else 0.0
    second = float(ranking[1][1]) if len(ranking) > 1 else 0.0
    return top < threshold or (top - second) < ambiguity


def outcome(rows: list[dict[str, Any]], threshold: float, ambiguity: float,
            wrong_cost: float) -> dict[str, float]:
    wrong = needless = caught = topic_clarified = topics = 0
    for row in rows:
        predicted = row["ranking"][0][0] if row["ranking"] else None
        right = predicted == row["gold"]
        fallback = falls_back(row["ranking"], threshold, ambiguity)
        if row["gold"].startswith(TOPIC_PREFIX):
            topics += 1
            topic_clarified += fallback
        if fallback:
            if right and row["gold"] != "out_of_scope":
                needless += 1
            else:
                caught += 1
        elif not right:
            wrong += 1
    n = len(rows)
    return {"cost": (wrong_cost * wrong + needless) / n, "wrong_answered": wrong,
            "needless_clarifications": needless, "caught": caught, "messages": n,
            "topic_clarification_share": topic_clarified / topics if topics else 0.0}


def sweep(sets: dict[str, list[dict[str, Any]]], wrong_cost: float) -> list[dict[str, Any]]:
    results = []
    for threshold in THRESHOLDS:
        for ambiguity in AMBIGUITIES:
            per_set = {name: outcome(rows, threshold, ambiguity, wrong_cost)
                       for name, rows in sets.items()}
            cost = sum(o["cost"] for o in per_set.values()) / len(per_set)
            clarified = sum(o["topic_clarification_share"] for o in per_set.values())
            results.append({"threshold": threshold, "ambiguity_threshold": ambiguity,
                            "cost": cost, "clarified": clarified, "per_set": per_set})
    results.sort(key=lambda r: (round(r["cost"], 9), round(r["clarified"], 9),
                                r["threshold"], r["ambiguity_threshold"]))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("parse_results", type=Path, nargs="+")
    parser.add_argument("--wrong-cost", type=float, default=2.0)
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    sets: dict[str, list[dict[str, Any]]] = {}
    for path in args.parse_results:
        for name, data in json.loads(path.read_text(encoding="utf-8"))["sets"].items():
            key = f"{path.parent.name}/{name}" if len(args.parse_results) > 1 else name
            sets[key] = data["rows"]
    results = sweep(sets, args.wrong_cost)
    names = sorted(sets)
    print("| threshold | ambiguity | cost | " + " | ".join(
        f"{n}: wrong answered / needless clarifications / topic clarification share"
        for n in names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    for r in results[:args.top]:
        cells = [f"{r['per_set'][n]['wrong_answered']} / "
                 f"{r['per_set'][n]['needless_clarifications']} / "
                 f"{r['per_set'][n]['topic_clarification_share']:.3f}" for n in names]
        print(f"| {r['threshold']:.2f} | {r['ambiguity_threshold']:.2f} | {r['cost']:.4f} | "
              + " | ".join(cells) + " |")
    best = results[0]
    print(f"best: threshold {best['threshold']:.2f}, "
          f"ambiguity_threshold {best['ambiguity_threshold']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
