"""Held-out NLU report: per-topic precision/recall/F1, topic accuracy and the most confused
pairs of each held-out set, written to docs/nlu-report.md (the hand-written section between the
`kept` markers is carried over). Fails when any set is below the thresholds (`make test`)."""

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


KEEP_START = "<!-- kept: not generated -->"
KEEP_END = "<!-- /kept -->"


def kept_section(out: Path) -> str:
    """The hand-written part of the report (comparison of NLU set-ups), carried over."""
    if not out.exists():
        return ""
    text = out.read_text(encoding="utf-8")
    if KEEP_START not in text or KEEP_END not in text:
        return ""
    return text[text.index(KEEP_START):text.index(KEEP_END) + len(KEEP_END)]


def render(evaluated: list[tuple[str, dict, dict[str, dict], float, int,
                                 list[tuple[tuple[str, str], int]]]], kept: str) -> str:
    names = ", ".join(f"`tests/nlu/{name}`" for name, *_ in evaluated)
    lines = [f"# Held-out NLU report ({date.today().isoformat()})", "",
             f"Produced by `make nlu-report` from {names} (never used for training).", "",
             "| held-out set | messages | topic accuracy (knowledge intents) | "
             "overall accuracy | weighted F1 |", "|---|---|---|---|---|"]
    for name, report, intents, accuracy, support, _ in evaluated:
        total = sum(v["support"] for v in intents.values())
        lines.append(f"| {name} | {total} | **{accuracy:.3f}** ({support}) | "
                     f"{report.get('accuracy', 0.0):.3f} | "
                     f"{report['weighted avg']['f1-score']:.3f} |")
    if kept:
        lines += ["", kept]
    for name, _report, intents, _accuracy, _support, pairs in evaluated:
        lines += ["", f"## {name}: per intent", "",
                  "| intent | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        for intent in sorted(intents):
            v = intents[intent]
            lines.append(f"| {intent} | {v['precision']:.2f} | {v['recall']:.2f} | "
                         f"{v['f1-score']:.2f} | {v['support']} |")
        lines += ["", f"## {name}: most confused pairs (gold → predicted)", "",
                  "| gold | predicted | count |", "|---|---|---|"]
        lines += [f"| {gold} | {predicted} | {count} |" for (gold, predicted), count in pairs]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("results", nargs="+",
                        help="NAME=DIR or DIR: output folders of `rasa test nlu`, one per set")
    parser.add_argument("--min-topic-accuracy", type=float, default=0.90)
    parser.add_argument("--min-f1", type=float, default=0.85)
    parser.add_argument("--out", type=Path, default=Path("docs/nlu-report.md"))
    args = parser.parse_args()
    evaluated = []
    failed = False
    for spec in args.results:
        name, _, folder = spec.rpartition("=")
        results = Path(folder)
        report, errors = load(results)
        intents = per_intent(report)
        accuracy, support = topic_accuracy(intents)
        pairs = confused_pairs(errors)
        name = name or results.name
        evaluated.append((name, report, intents, accuracy, support, pairs))
        weighted = report["weighted avg"]["f1-score"]
        print(f"held-out NLU {name}: topic accuracy {accuracy:.3f} ({support} messages), "
              f"weighted F1 {weighted:.3f}")
        for (gold, predicted), count in pairs[:5]:
            print(f"  confused: {gold} -> {predicted} ({count})")
        if accuracy < args.min_topic_accuracy or weighted < args.min_f1:
            print(f"{name} below threshold (topic accuracy {args.min_topic_accuracy}, "
                  f"weighted F1 {args.min_f1})", file=sys.stderr)
            failed = True
    args.out.write_text(render(evaluated, kept_section(args.out)), encoding="utf-8")
    print(f"report in {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
