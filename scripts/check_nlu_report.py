"""Fail when the held-out NLU evaluation is below the threshold; print the weakest intents."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("report", type=Path)
    parser.add_argument("--min-f1", type=float, required=True)
    args = parser.parse_args()
    report = json.loads(args.report.read_text(encoding="utf-8"))
    weighted = report["weighted avg"]["f1-score"]
    accuracy = report.get("accuracy", 0.0)
    per_intent = {
        name: values["f1-score"]
        for name, values in report.items()
        if isinstance(values, dict) and "support" in values and not name.endswith("avg")
    }
    weakest = sorted(per_intent.items(), key=lambda item: item[1])[:8]
    print(f"held-out NLU: accuracy {accuracy:.3f}, weighted F1 {weighted:.3f} "
          f"(threshold {args.min_f1:.2f}, {len(per_intent)} intents)")
    for name, f1 in weakest:
        print(f"  weakest: {name:32s} F1 {f1:.2f}")
    if weighted < args.min_f1:
        print("held-out NLU below threshold", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
