"""The dossier service's schema: `migrations/NNN_name.sql`, applied in order by the storage
layer's Alembic tree `dossiers` (bot/storage/migrations/dossiers/, one revision per file, each
calling `apply_sql_migration`), inside the advisory-locked upgrade transaction. Each file's row in
`schema_version` is still written, and a file an older runner already applied (its row exists)
is not run again, so existing databases are accepted as they are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

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


def apply_sql_migration(version: int) -> None:
    """Run migration file `version` on Alembic's connection unless `schema_version` has it."""
    from alembic import op

    bind = op.get_bind()
    bind.exec_driver_sql(SCHEMA_VERSION_DDL)
    done = bind.execute(sa.text("SELECT 1 FROM schema_version WHERE version = :version"),
                        {"version": version}).first()
    if done is not None:
        return
    migration = next(m for m in load_migrations() if m.version == version)
    for statement in migration.statements:
        bind.exec_driver_sql(statement)
    bind.execute(sa.text("INSERT INTO schema_version (version, name, applied_at)"
                         " VALUES (:version, :name, :at)"),
                 {"version": version, "name": migration.name,
                  "at": datetime.now(timezone.utc).isoformat()})
