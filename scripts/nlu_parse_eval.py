"""Parse held-out NLU sets with a trained model: the classifier's full intent ranking per message
(for scripts/calibrate_fallback.py), topic accuracy, weighted F1 and parse latency.

    .venv/bin/python scripts/nlu_parse_eval.py var/nlu-eval/x/model.tar.gz \
        tests/nlu/heldout.yml tests/nlu/heldout_angle.yml --out var/nlu-eval/x/parse.json

Topic accuracy and weighted F1 are computed as `rasa test nlu` does: on the classifier's own
prediction, before FallbackClassifier replaces it with `nlu_fallback`. Latency is the wall time
of `Agent.parse_message` per message (whole NLU pipeline), over the first `--latency-n` messages
before any of them was parsed (no cache hits), after a warm-up, one at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TOPIC_PREFIX = "ask_"
FALLBACK = "nlu_fallback"


def load_examples(path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found = []
    for block in data.get("nlu", []):
        if "intent" in block:
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.append((line[2:].strip(), block["intent"]))
    return found


def classifier_ranking(parsed: dict[str, Any]) -> list[tuple[str, float]]:
    return [(r["name"], float(r["confidence"])) for r in parsed.get("intent_ranking", [])
            if r["name"] != FALLBACK]


def scores(rows: list[dict[str, Any]]) -> dict[str, float]:
    from sklearn.metrics import f1_score

    gold = [r["gold"] for r in rows]
    predicted = [r["ranking"][0][0] if r["ranking"] else "" for r in rows]
    topics = [(g, p) for g, p in zip(gold, predicted, strict=True) if g.startswith(TOPIC_PREFIX)]
    return {
        "messages": len(rows),
        "topic_messages": len(topics),
        "topic_accuracy": sum(g == p for g, p in topics) / len(topics) if topics else 0.0,
        "accuracy": sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(rows),
        "weighted_f1": float(f1_score(gold, predicted, labels=sorted(set(gold)),
                                      average="weighted", zero_division=0)),
    }


async def run(model: Path, sets: list[Path], latency_n: int,
              latency_only: bool = False) -> dict[str, Any]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    examples = {path.name: load_examples(path) for path in sets}
    every = [text for found in examples.values() for text, _ in found]
    # Latency first, on texts this agent has not seen (a component may cache recent texts);
    # the warm-up uses texts from the end of the list.
    sample = every[:latency_n]
    for text in every[-10:]:
        await agent.parse_message(text)
    times = []
    for text in sample:
        start = time.perf_counter()
        await agent.parse_message(text)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    result: dict[str, Any] = {"model": str(model), "sets": {}, "latency_ms": {
        "n": len(times), "mean": statistics.fmean(times), "p50": times[len(times) // 2],
        "p95": times[int(len(times) * 0.95) - 1]}}
    for name, found in ([] if latency_only else examples.items()):
        rows = []
        for text, gold in found:
            parsed = await agent.parse_message(text)
            rows.append({"text": text, "gold": gold, "ranking": classifier_ranking(parsed),
                         "final": (parsed.get("intent") or {}).get("name")})
        result["sets"][name] = {"scores": scores(rows), "rows": rows}
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", type=Path)
    parser.add_argument("sets", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--latency-n", type=int, default=200)
    parser.add_argument("--latency-only", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))  # custom components (nlu_components.*) named in the model
    result = asyncio.run(run(args.model, args.sets, args.latency_n, args.latency_only))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    for name, data in result["sets"].items():
        s = data["scores"]
        print(f"{name}: topic accuracy {s['topic_accuracy']:.3f} ({s['topic_messages']}), "
              f"accuracy {s['accuracy']:.3f}, weighted F1 {s['weighted_f1']:.3f}")
    lat = result["latency_ms"]
    print(f"parse latency over {lat['n']} messages: mean {lat['mean']:.1f} ms, "
          f"p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
