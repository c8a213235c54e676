"""The domain services the actions use: one typed, frozen object, built once per action-server
process (on the first action call, never at import time) and replaceable by tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from actions.dossier_service import DossierBackend
from actions.settings import ActionSettings
from bot.catalog import Catalog
from bot.counters import Tenant, load_tenant
from bot.dossiers.dossier_types import DossierType, load_dossier_types
from bot.dossiers.intake.words import IntakeWords, load_intake
from bot.handoff.client import HandoffClient
from bot.municipalities import MunicipalityRegistry


def _mapping(path: Path) -> Mapping[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Services:
    settings: ActionSettings
    catalog: Catalog
    registry: MunicipalityRegistry
    tenant: Tenant
    ui_labels: Mapping[str, Any]
    locale: Mapping[str, Any]
    intake: IntakeWords
    dossier_types: Mapping[str, DossierType]
    dossiers: DossierBackend
    handoff: HandoffClient

    @classmethod
    def load(cls, settings: ActionSettings) -> Services:
        content = settings.content_dir
        return cls(
            settings=settings,
            catalog=Catalog.load(content / "topics"),
            registry=MunicipalityRegistry.from_csv(content / "reference"),
            tenant=load_tenant(content / "tenants" / f"{settings.tenant}.yml"),
            ui_labels=_mapping(content / "ui.yml"),
            locale=_mapping(content / "locale.yml"),
            intake=load_intake(content / "dossier_forms.yml"),
            dossier_types=load_dossier_types(content / "dossier_types.yml"),
            dossiers=DossierBackend.from_settings(settings),
            handoff=HandoffClient(settings.handoff_url, settings.handoff_token),
        )


_current: Services | None = None


def services() -> Services:
    """The process-wide services, loaded from the environment on first use."""
    global _current
    if _current is None:
        _current = Services.load(ActionSettings.from_env())
    return _current


def install(replacement: Services | None) -> None:
    """Use these services from now on (tests); None reloads from the environment next time."""
    global _current
    _current = replacement
