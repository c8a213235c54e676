"""Every action test starts from the services loaded from the real content and leaves them as
it found them; `use_services(...)` swaps parts (a fake hand-off client, a test backend)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from actions import services as services_module
from actions.services import Services
from actions.settings import ActionSettings

_BASE: Services | None = None


def base_services() -> Services:
    global _BASE
    if _BASE is None:  # content is read once per test session
        _BASE = Services.load(ActionSettings.from_env({}))
    return _BASE


@pytest.fixture(autouse=True)
def _fresh_services() -> Iterator[None]:
    services_module.install(base_services())
    yield
    services_module.install(base_services())


@pytest.fixture
def use_services() -> Callable[..., Services]:
    def install(**changes: Any) -> Services:
        replaced = dataclasses.replace(base_services(), **changes)
        services_module.install(replaced)
        return replaced
    return install
