"""Tiny migration runner shared by both backends: `migrations/NNN_name.sql`, applied in order,
each in its own transaction together with its row in `schema_version`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_FILE = re.compile(r"(?P<version>\d{3})_(?P<name>[a-z0-9_]+)\.sql")
_COMMENT = re.compile(r"--[^\n]*")

SCHEMA_VERSION_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def split_statements(sql: str) -> tuple[str, ...]:
    """Statements separated by `;` (the migration files contain no `;` inside literals)."""
    body = _COMMENT.sub("", sql)
    return tuple(part.strip() for part in body.split(";") if part.strip())


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE.fullmatch(path.name)
        if not match:
            raise ValueError(f"migration file name must look like 001_name.sql: {path.name}")
        statements = split_statements(path.read_text(encoding="utf-8"))
        migrations.append(Migration(int(match["version"]), match["name"], statements))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise ValueError(f"duplicate migration versions in {directory}")
    return migrations
