"""The reply contract: the `custom` payload of every reply (documented in docs/reply-contract.md).

Keys, each present only when it applies:
  topic, source, authority      the knowledge topic a reply answers, its official URL and the
                                competent authority;
  municipality, nis, counter    where the business is and the counter the owner is routed to;
  handoff                       {status: queued|callback|closed, counter, position?, ...};
  dossier                       {reference, type, status, municipality?, counter?}.
External integrations, the web widget and evaluators read it, so the keys are stable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CONTRACT_KEYS = ("topic", "source", "authority", "municipality", "nis", "counter", "handoff",
                 "dossier")
# Conversation context that persists over turns; topic/source/authority belong to one reply.
CONTEXT_SLOTS = ("municipality", "nis", "counter", "handoff", "dossier")
REPLY_KEYS = ("topic", "source", "authority")
# Marks a payload as a contract even when nothing applies yet (an empty contract).
MARKER = "_contract"


def build_contract(
    *,
    topic: str | None = None,
    source: str | None = None,
    authority: str | None = None,
    municipality: str | None = None,
    nis: str | None = None,
    counter: str | None = None,
    handoff: Mapping[str, Any] | None = None,
    dossier: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "topic": topic, "source": source, "authority": authority,
        "municipality": municipality, "nis": nis, "counter": counter,
        "handoff": dict(handoff) if handoff else None,
        "dossier": dict(dossier) if dossier else None,
    }
    contract = {key: value for key, value in values.items() if value is not None}
    contract[MARKER] = True
    return contract


def contract_from_slots(slots: Mapping[str, Any], topic: str | None = None) -> dict[str, Any]:
    """Contract for a reply that is not about a topic: the conversation context only."""
    values = {key: slots.get(key) for key in CONTEXT_SLOTS}
    return build_contract(topic=topic, **values)


def is_contract(payload: Any) -> bool:
    return isinstance(payload, Mapping) and payload.get(MARKER) is True


def public(contract: Mapping[str, Any]) -> dict[str, Any]:
    """The contract as sent to clients (without the internal marker)."""
    return {key: contract[key] for key in CONTRACT_KEYS if contract.get(key) is not None}


def merge_turn(slots: Mapping[str, Any], customs: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Contract for one turn: the context from the slots at the end of the turn, plus the
    reply keys (topic, source, authority) and explicit values of the last contract an action
    sent during the turn. A turn without such a contract carries no topic."""
    merged = dict(contract_from_slots(slots))
    sent = [c for c in customs if is_contract(c)]
    if sent:
        last = sent[-1]
        for key in CONTRACT_KEYS:
            if last.get(key) is not None:
                merged[key] = last[key]
    return public(merged)
