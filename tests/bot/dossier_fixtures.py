"""Helpers shared by the dossier tests: storages on both backends, a valid submission, a
service running on a real port. Imported by test modules (not a conftest, to stay local)."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.dossiers.service.storage import DossierStorage
from tests.conftest import require_service

PG_DSN = os.environ.get("DOSSIER_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgres")
SERVICE_TOKEN = "service-token-" + "x" * 24
GENT_OFFICER = "officer-gent-" + "g" * 24
AALST_OFFICER = "officer-aalst-" + "a" * 24
OFFICERS: dict[str, Any] = {
    GENT_OFFICER: {"officer": "an.gent", "counters": ["gent-economie"]},
    AALST_OFFICER: ["aalst-ondernemersloket"],
}


def enterprise_number(first_eight: int) -> str:
    """A valid enterprise number computed with the mod-97 rule (first digit 0 or 1)."""
    digits = f"{first_eight:08d}{97 - first_eight % 97:02d}"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def submission(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "terrasvergunning",
        "tenant": "oost-vlaanderen",
        "counter": "gent-economie",
        "municipality": {"nis": "44021", "name": "Gent"},
        "applicant": {"name": "Lotte Verbeke", "email": "Lotte.Verbeke@Example.be",
                      "phone": "0470 12 34 56", "enterprise_number": enterprise_number(4031707)},
        "fields": {"business_name": "Café De Hoek", "address": "Voorbeeldstraat 1, 9000 Gent",
                   "period": {"start": "2027-04-01", "end": "2027-09-30"}, "surface": 18.5},
        "conversation_id": "conv-" + secrets.token_hex(4),
    }
    data.update(overrides)
    return data


@asynccontextmanager
async def open_storage(backend: str, tmp_path: Path) -> AsyncIterator[DossierStorage]:
    """A migrated, empty storage; PostgreSQL gets its own schema, dropped afterwards."""
    if backend == "sqlite":
        from bot.dossiers.service.sqlite_storage import SqliteStorage

        storage: DossierStorage = SqliteStorage(tmp_path / "dossiers.sqlite3")
        try:
            await storage.migrate()
            yield storage
        finally:
            await storage.close()
        return
    address = urlsplit(PG_DSN)
    require_service("PostgreSQL", address.hostname or "127.0.0.1", address.port or 5432)
    import asyncpg

    from bot.dossiers.service.postgres_storage import PostgresStorage

    schema = "test_dossiers_" + secrets.token_hex(6)
    storage = PostgresStorage(PG_DSN, schema=schema)
    try:
        await storage.migrate()
        yield storage
    finally:
        await storage.close()
        connection = await asyncpg.connect(PG_DSN)
        try:
            await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await connection.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serving(app: web.Application, port: int) -> AsyncIterator[str]:
    """Run `app` on 127.0.0.1:port; yields the base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
