"""The tables `make loadtest` and `make faulttest` print and keep in docs/loadtest.md."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bench.loadtest.verify import StoreCheck


def load_table(results: Mapping[str, Mapping[str, Any]]) -> str:
    names = list(results)
    rows = [
        ("messages answered", lambda r: f"{r['messages']:,}"),
        ("conversations", lambda r: f"{len(r['conversations']):,}"),
        ("wall time", lambda r: f"{r['seconds']:.0f} s"),
        ("throughput", lambda r: f"{r['throughput']:.1f} msg/s"),
        ("p50", lambda r: f"{r['p50_ms']:.0f} ms"),
        ("p95", lambda r: f"{r['p95_ms']:.0f} ms"),
        ("p99", lambda r: f"{r['p99_ms']:.0f} ms"),
        ("failed messages", lambda r: f"{r['failed_messages']}"),
        ("lost replies (no HTTP 200 / no JSON)", lambda r: f"{r['lost_replies']}"),
        ("empty replies", lambda r: f"{r['empty_replies']}"),
        ("apologies", lambda r: f"{r['apologies']}"),
    ]
    lines = ["| figure | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(results[n]) for n in names) + " |")
    for kind in ("dossier", "handoff"):
        lines.append(f"| {kind}s promised / stored / duplicated / missing / unconfirmed | "
                     + " | ".join(_store_cell(results[n]["stores"], kind) for n in names) + " |")
    return "\n".join(lines)


def _store_cell(checks: Sequence[StoreCheck], kind: str) -> str:
    found = next((c for c in checks if c.kind == kind), None)
    if found is None:
        return "n/a"
    return (f"{found.promised} / {found.stored} / {found.duplicated} / {found.missing} / "
            f"{found.unconfirmed}")


def failure_lines(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = []
    for name, result in results.items():
        for reason, count in sorted(result.get("failures", {}).items()):
            lines.append(f"- {name}: {count} × {reason}")
    return lines


def fault_table(rows: Sequence[Mapping[str, Any]], started: float) -> str:
    lines = ["| fault | at | what was done | messages in the window | no reply | apologies |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['name']} | {row['at'] - started:.0f} s | {row['detail']} | "
                     f"{row['messages']} ({row['window']:.0f} s) | {row['no_reply']} | "
                     f"{row['apologies']} |")
    return "\n".join(lines)
