"""Browser tests: Debian's chromium driven by Playwright, against the whole assistant."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.handoff_stack import Stack, handoff_stack, required

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with handoff_stack(tmp_path_factory.mktemp("handoff_stack")) as running:
        yield running


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        required(f"{CHROMIUM} missing (make install-browser)")
    return str(CHROMIUM)
