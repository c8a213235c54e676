"""`make bench`: the whole-stack comparison with stock Rasa first (bench_stack.py, its ratios
are the figures that count), then every other bench/bench_*.py micro-benchmark.

`make bench BENCH_ARGS=--quick` halves the comparison's conversations.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST = "bench_stack"


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"), key=lambda p: (p.stem != FIRST, p.stem))
    failed = 0
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        args = argv if script.stem == FIRST else []
        failed += subprocess.run([sys.executable, str(script), *args], check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
