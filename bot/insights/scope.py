"""Which municipalities a set of counters may see: a counter's municipalities by NIS code,
all municipalities of its provinces, or every municipality for a "*" counter (agencies) and for
the "*" token. Counters come from every tenant file in content/tenants/ (`bot.counters`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.counters import ALL, Counter, load_tenant
from bot.municipalities import MunicipalityRegistry


@dataclass(frozen=True)
class Scope:
    counters: Mapping[str, Counter]
    names: Mapping[str, str]  # NIS -> official name
    provinces: Mapping[str, str]  # NIS -> province
    text_days: Mapping[str, int] = field(default_factory=dict)  # tenant -> analytics_texts

    @classmethod
    def load(cls, content_dir: Path) -> Scope:
        counters: dict[str, Counter] = {}
        text_days: dict[str, int] = {}
        for path in sorted((content_dir / "tenants").glob("*.yml")):
            tenant = load_tenant(path)
            text_days[tenant.id] = tenant.retention.analytics_texts
            for counter in tenant.counters:
                counters.setdefault(counter.id, counter)
        registry = MunicipalityRegistry.from_csv(content_dir / "reference")
        return cls(counters, {m.nis: m.name for m in registry.all()},
                   {m.nis: m.province for m in registry.all()}, text_days)

    def municipalities(self, counter_ids: Iterable[str]) -> frozenset[str] | None:
        """The NIS codes the counters serve; None = every municipality."""
        found: set[str] = set()
        for counter_id in counter_ids:
            if counter_id == ALL:
                return None
            counter = self.counters.get(counter_id)
            if counter is None:
                continue
            if counter.municipalities is None:
                return None
            found |= {nis for nis in counter.municipalities if nis in self.names}
            found |= {nis for nis, province in self.provinces.items()
                      if province in counter.provinces}
        return frozenset(found)

    def sees_unplaced(self, counter_ids: Iterable[str]) -> bool:
        """Whether the counters may see conversations that named no municipality: a team
        serving a whole province (the province team) or every municipality."""
        for counter_id in counter_ids:
            if counter_id == ALL:
                return True
            counter = self.counters.get(counter_id)
            if counter is not None and (counter.municipalities is None or counter.provinces):
                return True
        return False

    def served_by(self, counter_id: str) -> frozenset[str] | None:
        """The municipalities one counter serves (None = every one)."""
        return self.municipalities([counter_id])

    def counter_of(self, nis: str) -> Counter | None:
        """The counter whose opening hours count for a municipality: the one serving it by NIS
        code, else by province (first by id); agencies and catch-alls do not count."""
        province = self.provinces.get(nis)
        by_code = [c for c in self.counters.values()
                   if c.municipalities is not None and nis in c.municipalities]
        by_province = [c for c in self.counters.values() if province in c.provinces]
        for found in (by_code, by_province):
            if found:
                return sorted(found, key=lambda c: (not c.has_hours, c.id))[0]
        return None

    def nis_of_name(self) -> dict[str, str]:
        return {name.casefold(): nis for nis, name in self.names.items()}
