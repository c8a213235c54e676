"""Micro-benchmark of the validators (they run on every form answer in the action server).

Run: `.venv/bin/python -m bench.bench_validators` (or `python bench/bench_validators.py`).
Prints microseconds per call (best of 5 repeats) for typical inputs."""

from __future__ import annotations

import sys
import timeit
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.privacy import mask_pii
from bot.validators import (
    parse_date,
    parse_period,
    validate_email,
    validate_enterprise_number,
    validate_name,
    validate_phone,
    validate_surface,
)

TODAY = date(2026, 11, 23)
CASES: list[tuple[str, Callable[[], Any]]] = [
    ("enterprise_number 'BE 0403.170.701'", lambda: validate_enterprise_number("BE 0403.170.701")),
    ("email 'Lotte.Verbeke@Example.be'", lambda: validate_email("Lotte.Verbeke@Example.be")),
    ("phone '+32 (0)470 12 34 56'", lambda: validate_phone("+32 (0)470 12 34 56")),
    ("surface '12,5 vierkante meter'", lambda: validate_surface("12,5 vierkante meter")),
    ("name 'Lotte Verbeke'", lambda: validate_name("Lotte Verbeke")),
    ("date 'volgende vrijdag'", lambda: parse_date("volgende vrijdag", TODAY)),
    ("date '15-06-2027'", lambda: parse_date("15-06-2027", TODAY)),
    ("period 'van 1 mei tot 3 juni'", lambda: parse_period("van 1 mei tot 3 juni", TODAY)),
    ("period '15-06-2027 - 20-06-2027'", lambda: parse_period("15-06-2027 - 20-06-2027", TODAY)),
    ("period 'iets onbekends hier'", lambda: parse_period("iets onbekends hier", TODAY)),
    ("mask_pii (200-char log line)", lambda: mask_pii(
        "dossier OVL-2026-K7M4QX created for lotte@example.be, tel 0470 12 34 56, "
        "kbo BE 0403.170.701, status received at 2026-11-23T10:30:00 by service " * 2)),
]


def run(number: int = 2000) -> list[tuple[str, float]]:
    results = []
    for name, call in CASES:
        best = min(timeit.repeat(call, number=number, repeat=5))
        results.append((name, best / number * 1e6))
    return results


def main() -> None:
    for name, micros in run():
        print(f"{name:<42} {micros:8.1f} µs/call")


if __name__ == "__main__":
    main()
