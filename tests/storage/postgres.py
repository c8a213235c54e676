"""A PostgreSQL database of a test's own on the machine's server, dropped afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from tests.conftest import require_service

HOST, PORT = "127.0.0.1", 5432
ADMIN_DSN = f"postgresql://postgres@{HOST}:{PORT}/postgres"


def admin(sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(ADMIN_DSN)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """Yields the URL (`postgresql://…`) of a fresh database named `<prefix>_<random>`."""
    require_service("PostgreSQL", HOST, PORT)
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@{HOST}:{PORT}/{name}"
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
