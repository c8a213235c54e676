"""Cost of one SQLite commit on this disk, by journal mode: what the tracker store (one commit
per turn) and the SQL event broker (one commit per event, about 8 per turn) pay.

Usage: .venv/bin/python bench/bench_sqlite.py
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = (("delete", "FULL"), ("wal", "FULL"), ("wal", "NORMAL"))  # first: SQLite's default
COMMITS = 40


def ms_per_commit(directory: Path, journal: str, synchronous: str) -> float:
    path = directory / f"commit-{journal}-{synchronous}.sqlite3"
    connection = sqlite3.connect(path)
    try:
        connection.execute(f"PRAGMA journal_mode={journal}")
        connection.execute(f"PRAGMA synchronous={synchronous}")
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, data TEXT)")
        connection.commit()
        started = time.perf_counter()
        for _ in range(COMMITS):
            connection.execute("INSERT INTO events (data) VALUES (?)", ("x" * 500,))
            connection.commit()
        return (time.perf_counter() - started) / COMMITS * 1000
    finally:
        connection.close()


def main() -> int:
    base = ROOT / "var" / "bench"  # the disk the local profile's databases are on
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        figures = [(j, s, ms_per_commit(Path(tmp), j, s)) for j, s in MODES]
    print("SQLite commit on the disk of var/ (one row, "
          f"{COMMITS} commits): " + ", ".join(f"journal {j} synchronous {s} {ms:.2f} ms"
                                             for j, s, ms in figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
