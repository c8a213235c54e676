"""Files with personal data (SQLite databases, logs) are readable by their owner only.

`make_private(path)` creates the file with mode 0600 when it does not exist yet (its folder with
0700 when we create it) and tightens an existing file and SQLite's side files (`-wal`, `-shm`,
`-journal`; SQLite gives new side files the mode of the database file). Call it before a
database is opened; it does not depend on the process umask."""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
SIDE_FILES = ("-wal", "-shm", "-journal")


def make_private(path: Path) -> None:
    if not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, DIR_MODE)
    descriptor = os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, FILE_MODE)
    os.close(descriptor)
    for candidate in (path, *(path.with_name(path.name + side) for side in SIDE_FILES)):
        try:
            if candidate.stat().st_mode & 0o077:
                os.chmod(candidate, FILE_MODE)
        except FileNotFoundError:
            continue
