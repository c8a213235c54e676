"""The reply contract: the `custom` payload every reply carries (topic, municipality, counter,
handoff, dossier). External evaluators and the web widget read it, so the keys are stable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CONTRACT_KEYS = ("topic", "municipality", "nis", "counter", "handoff", "dossier")
# Slots that persist over a conversation; `topic` is per reply (see merge_turn).
CONTEXT_SLOTS = ("municipality", "nis", "counter", "handoff", "dossier")


def build_contract(
    *,
    topic: str | None = None,
    municipality: str | None = None,
    nis: str | None = None,
    counter: str | None = None,
    handoff: Mapping[str, Any] | None = None,
    dossier: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "topic": topic,
        "municipality": municipality,
        "nis": nis,
        "counter": counter,
        "handoff": dict(handoff) if handoff else None,
        "dossier": dict(dossier) if dossier else None,
    }


def contract_from_slots(slots: Mapping[str, Any], topic: str | None = None) -> dict[str, Any]:
    """Contract for a reply that did not set one itself: conversation context, no topic."""
    values = {key: slots.get(key) for key in CONTEXT_SLOTS}
    return build_contract(topic=topic, **values)


def is_contract(payload: Any) -> bool:
    return isinstance(payload, Mapping) and "topic" in payload and "municipality" in payload


def merge_turn(slots: Mapping[str, Any], customs: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Contract for one turn: context from the slots at the end of the turn, the topic and any
    explicit values from the last contract an action sent during the turn."""
    contract = contract_from_slots(slots)
    sent = [c for c in customs if is_contract(c)]
    if sent:
        last = sent[-1]
        contract["topic"] = last.get("topic")
        for key in CONTRACT_KEYS:
            if last.get(key) is not None:
                contract[key] = last[key]
    return contract
