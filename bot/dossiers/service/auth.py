"""Bearer tokens: one service token (the action server) and officer tokens mapped to counters.

Officer config: `{token: [counter ids]}` or `{token: {"officer": "id", "counters": [...]}}`;
the counter id `*` gives access to every counter (a central administrator)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

MIN_TOKEN_LENGTH = 16
ALL_COUNTERS = "*"


@dataclass(frozen=True)
class Officer:
    id: str
    counters: frozenset[str]

    def may_access(self, counter: str) -> bool:
        return ALL_COUNTERS in self.counters or counter in self.counters


def token_fingerprint(token: str) -> str:
    """A short non-secret id for a token (for actors in the history and for logs)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:10]


def _officer(token: str, spec: Iterable[str] | Mapping[str, Any]) -> Officer:
    if isinstance(spec, Mapping):
        officer_id = str(spec.get("officer") or f"officer-{token_fingerprint(token)}")
        counters = spec.get("counters") or ()
    else:
        officer_id, counters = f"officer-{token_fingerprint(token)}", spec
    if isinstance(counters, str) or not all(isinstance(c, str) and c for c in counters):
        raise ValueError("officer counters must be a list of counter ids")
    return Officer(officer_id, frozenset(counters))


class OfficerDirectory:
    def __init__(self, tokens: Mapping[str, Iterable[str] | Mapping[str, Any]]) -> None:
        self._entries: list[tuple[bytes, Officer]] = []
        for token, spec in tokens.items():
            if len(token) < MIN_TOKEN_LENGTH:
                raise ValueError(f"officer tokens need at least {MIN_TOKEN_LENGTH} characters")
            self._entries.append((token.encode("utf-8"), _officer(token, spec)))

    def find(self, token: str | None) -> Officer | None:
        """Compares against every token in constant time per token (no early exit)."""
        if not token:
            return None
        given = token.encode("utf-8")
        found = None
        for secret, officer in self._entries:
            if hmac.compare_digest(secret, given):
                found = officer
        return found


def bearer_token(request: web.Request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def token_matches(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode("utf-8"),
                                                     expected.encode("utf-8"))
