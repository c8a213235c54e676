"""Bearer tokens: one service token (the action server) and officer tokens mapped to counters.

Officer config: `{token: [counter ids]}` or `{token: {"officer": "id", "counters": [...]}}`;
the counter id `*` gives access to every counter (a central administrator).

A caller that acts for one of its own users (the officer console in the web app) names that
user and their counters in `X-Acting-Officer`, `X-Acting-Officer-Name` (percent-encoded UTF-8)
and `X-Acting-Counters` (comma-separated). The service then acts as that user: the counters are
those of the token *and* the header (a header can only narrow access, never widen it). Only an
all-counter token may do this."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from aiohttp import web

MIN_TOKEN_LENGTH = 16
ALL_COUNTERS = "*"


ACTING_OFFICER = "X-Acting-Officer"
ACTING_NAME = "X-Acting-Officer-Name"
ACTING_COUNTERS = "X-Acting-Counters"
ACTING_ID = re.compile(r"[A-Za-z0-9_.:@-]{1,100}")
_COUNTER = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class BadActingHeaders(ValueError):
    pass


@dataclass(frozen=True)
class Officer:
    id: str
    counters: frozenset[str]
    name: str | None = None

    def may_access(self, counter: str) -> bool:
        return ALL_COUNTERS in self.counters or counter in self.counters

    @property
    def all_counters(self) -> bool:
        return ALL_COUNTERS in self.counters

    def visible_counters(self) -> frozenset[str] | None:
        """The counters whose dossiers this officer sees; None = every counter."""
        return None if self.all_counters else self.counters

    def acting_for(self, officer_id: str, name: str | None, counters: Iterable[str]) -> Officer:
        """The user this caller acts for, limited to counters the caller may access itself."""
        allowed = frozenset(c for c in counters if c != ALL_COUNTERS and self.may_access(c))
        return Officer(officer_id, allowed, name)


def acting_officer(request: web.Request, caller: Officer) -> Officer:
    """`caller` itself, or the user named in the acting headers (see the module docstring)."""
    officer_id = request.headers.get(ACTING_OFFICER)
    if officer_id is None:
        return caller
    if not caller.all_counters:
        # only a caller that manages its own users (an all-counter token) may name one, so
        # a counter's token cannot write another name into a dossier's history
        raise BadActingHeaders("acting headers need an all-counter token")
    if not ACTING_ID.fullmatch(officer_id):
        raise BadActingHeaders(ACTING_OFFICER)
    name = unquote(request.headers.get(ACTING_NAME, ""), errors="strict").strip()[:200] or None
    raw = request.headers.get(ACTING_COUNTERS, "")
    counters = [c.strip() for c in raw.split(",") if c.strip()]
    if not all(_COUNTER.fullmatch(c) for c in counters):
        raise BadActingHeaders(ACTING_COUNTERS)
    return caller.acting_for(officer_id, name, counters)


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


def requesting_officer(request: web.Request, officers: OfficerDirectory) -> Officer:
    """The officer a request acts for (bearer token, then the acting-officer headers), or the
    JSON 401/400 the dossier API answers with."""
    officer = officers.find(bearer_token(request))
    if officer is None:
        raise web.HTTPUnauthorized(text='{"error": "unauthorized"}',
                                   content_type="application/json",
                                   headers={"WWW-Authenticate": "Bearer"})
    try:
        return acting_officer(request, officer)
    except (BadActingHeaders, UnicodeDecodeError) as exc:
        raise web.HTTPBadRequest(text='{"error": "invalid_acting_headers"}',
                                 content_type="application/json") from exc
