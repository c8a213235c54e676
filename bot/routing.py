"""Which counter a question goes to: the regional or federal agency for its topics, otherwise
the counter that serves the user's municipality; complex cases go to a local officer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.counters import Counter, Tenant
from bot.municipalities import Municipality

LOCAL_LEVELS = frozenset({"lokaal", "provinciaal"})

Reason = Literal[
    "agency_topic",  # a regional/federal agency handles this topic
    "local_counter",  # the counter serving the municipality
    "complex_case",  # personal advice from the local counter
    "needs_municipality",  # ask the municipality first; default counter meanwhile
    "general_topic",  # not local, no agency configured: the default counter
]


@dataclass(frozen=True)
class RoutingDecision:
    counter: Counter
    reason: Reason
    needs_municipality: bool
    offer_human: bool
    secondary: Counter | None = None  # e.g. the municipal counter for local help next to an agency


def route(
    tenant: Tenant,
    topic_id: str | None,
    topic_authority_level: str | None,
    municipality: Municipality | None,
    complex_case: bool = False,
) -> RoutingDecision:
    agency = tenant.agency_for(topic_id)
    local = _local(tenant, municipality, topic_id)
    if complex_case:
        if local is not None:
            return RoutingDecision(local, "complex_case", False, True, secondary=agency)
        return RoutingDecision(agency or tenant.default_counter, "needs_municipality", True, True)
    if agency is not None:
        return RoutingDecision(agency, "agency_topic", False, False, secondary=local)
    if local is not None:
        return RoutingDecision(local, "local_counter", False, False)
    if municipality is None and (
        topic_authority_level is None or topic_authority_level in LOCAL_LEVELS
    ):
        return RoutingDecision(tenant.default_counter, "needs_municipality", True, False)
    return RoutingDecision(tenant.default_counter, "general_topic", False, False)


def _local(
    tenant: Tenant, municipality: Municipality | None, topic_id: str | None
) -> Counter | None:
    if municipality is None:
        return None
    return tenant.local_counter(municipality, topic_id)
