"""Lazily built, process-wide domain services for the actions (nothing loads at import time)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.catalog import Catalog

ROOT = Path(__file__).resolve().parent.parent


def content_dir() -> Path:
    return Path(os.environ.get("CONTENT_DIR", ROOT / "content"))


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    return Catalog.load(content_dir() / "topics")


@lru_cache(maxsize=1)
def ui_labels() -> dict[str, Any]:
    data = yaml.safe_load((content_dir() / "ui.yml").read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


@lru_cache(maxsize=1)
def registry() -> Any:
    from bot.municipalities import MunicipalityRegistry

    return MunicipalityRegistry.from_csv(content_dir() / "reference")


@lru_cache(maxsize=1)
def tenant() -> Any:
    from bot.counters import load_tenant

    name = os.environ.get("TENANT", "oost-vlaanderen")
    return load_tenant(content_dir() / "tenants" / f"{name}.yml")


@lru_cache(maxsize=1)
def locale() -> dict[str, Any]:
    data = yaml.safe_load((content_dir() / "locale.yml").read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}
