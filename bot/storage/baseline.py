"""Helpers for baseline migrations that must also accept a database the old
`CREATE TABLE IF NOT EXISTS` code made: create only the tables and indexes that are missing
(the old schemas match the baselines column for column, so what exists is kept as it is)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op


def _inspector() -> Any:
    return sa.inspect(op.get_bind())


def create_table_if_missing(name: str, *columns: Any, **kwargs: Any) -> None:
    if not _inspector().has_table(name):
        op.create_table(name, *columns, **kwargs)


def create_index_if_missing(name: str, table: str, columns: Sequence[str]) -> None:
    existing = {index["name"] for index in _inspector().get_indexes(table)}
    if name not in existing:
        op.create_index(name, table, list(columns))
