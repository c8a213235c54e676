"""A database URL per backend: a SQLite file in tmp_path, or (marker `services`) a fresh
PostgreSQL database of this test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.storage.postgres import postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state' / 'own.sqlite3'}"
        return
    with postgres_database("olk_storage_test") as found:
        yield found
