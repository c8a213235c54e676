"""Held-out NLU report: per-topic precision/recall/F1, topic accuracy and the most confused
pairs, written to docs/nlu-report.md. Fails below the thresholds (used by `make test`)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

TOPIC_PREFIX = "ask_"


def load(results: Path) -> tuple[dict, list[dict]]:
    report = json.loads((results / "intent_report.json").read_text(encoding="utf-8"))
    errors_path = results / "intent_errors.json"
    errors = json.loads(errors_path.read_text(encoding="utf-8")) if errors_path.exists() else []
    return report, errors


def per_intent(report: dict) -> dict[str, dict]:
    return {name: values for name, values in report.items()
            if isinstance(values, dict) and "support" in values and not name.endswith("avg")}


def topic_accuracy(intents: dict[str, dict]) -> tuple[float, int]:
    topics = {k: v for k, v in intents.items() if k.startswith(TOPIC_PREFIX)}
    support = sum(v["support"] for v in topics.values())
    correct = sum(v["recall"] * v["support"] for v in topics.values())
    return (correct / support if support else 0.0), support


def confused_pairs(errors: list[dict], limit: int = 10) -> list[tuple[tuple[str, str], int]]:
    pairs = Counter((e["intent"], (e.get("intent_prediction") or {}).get("name", "?"))
                    for e in errors)
    return pairs.most_common(limit)


def render(report: dict, intents: dict[str, dict], accuracy: float, support: int,
           pairs: list[tuple[tuple[str, str], int]]) -> str:
    lines = [f"# Held-out NLU report ({date.today().isoformat()})", "",
             "Produced by `make nlu-report` from `tests/nlu/heldout.yml` "
             "(never used for training).",
             "",
             f"* topic accuracy (knowledge intents, {support} messages): **{accuracy:.3f}**",
             f"* overall accuracy (all intents): {report.get('accuracy', 0.0):.3f}",
             f"* weighted F1 (all intents): {report['weighted avg']['f1-score']:.3f}", "",
             "| intent | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for name in sorted(intents):
        v = intents[name]
        lines.append(f"| {name} | {v['precision']:.2f} | {v['recall']:.2f} | "
                     f"{v['f1-score']:.2f} | {v['support']} |")
    lines += ["", "## Most confused pairs (gold → predicted)", "", "| gold | predicted | count |",
              "|---|---|---|"]
    lines += [f"| {gold} | {predicted} | {count} |" for (gold, predicted), count in pairs]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("results", type=Path)
    parser.add_argument("--min-topic-accuracy", type=float, default=0.90)
    parser.add_argument("--min-f1", type=float, default=0.85)
    parser.add_argument("--out", type=Path, default=Path("docs/nlu-report.md"))
    args = parser.parse_args()
    report, errors = load(args.results)
    intents = per_intent(report)
    accuracy, support = topic_accuracy(intents)
    pairs = confused_pairs(errors)
    args.out.write_text(render(report, intents, accuracy, support, pairs), encoding="utf-8")
    weighted = report["weighted avg"]["f1-score"]
    print(f"held-out NLU: topic accuracy {accuracy:.3f} ({support} messages), "
          f"weighted F1 {weighted:.3f}; report in {args.out}")
    for (gold, predicted), count in pairs[:5]:
        print(f"  confused: {gold} -> {predicted} ({count})")
    if accuracy < args.min_topic_accuracy or weighted < args.min_f1:
        print(f"below threshold (topic accuracy {args.min_topic_accuracy}, "
              f"weighted F1 {args.min_f1})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
