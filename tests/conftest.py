"""Shared fixtures. PostgreSQL/Redis/RabbitMQ tests are only skipped outside CI."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def service_reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip locally when a server is missing, but fail in CI: CI must test them for real."""
    if service_reachable(host, port):
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{name} at {host}:{port} is required in CI but not reachable")
    pytest.skip(f"{name} at {host}:{port} not reachable")


# Test tiers by folder: `make check` runs everything else (the fast unit tier).
TIER_OF_FOLDER = {"e2e": "e2e", "browser": "browser", "services": "services"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = item.path.relative_to(ROOT / "tests").parts
        tier = TIER_OF_FOLDER.get(parts[0]) if len(parts) > 1 else None
        if tier is not None:
            item.add_marker(tier)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
