"""One of the machine's servers behind the fault proxy (bench/loadtest/fault_proxy.py), for
service tests that take it away and bring it back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.loadtest.fault_proxy import FaultProxy, fault_proxy
from launcher.proxy import find_haproxy
from tests.conftest import require_service


@contextmanager
def server_behind_proxy(state_dir: Path, label: str, name: str, port: int) -> Iterator[FaultProxy]:
    require_service(label, "127.0.0.1", port)
    if not os.access(find_haproxy(os.environ), os.X_OK):
        pytest.fail("haproxy is needed (make install-haproxy)")
    with fault_proxy(state_dir, {name: f"127.0.0.1:{port}"}, os.environ) as running:
        yield running
