"""The client's address for per-address limits. Behind our own proxy every request comes from
the proxy, so the address it forwards is used, but only when the request really comes from a
proxy we trust (`TRUSTED_PROXY_ADDRESSES`, set by the launcher for the production profile).
Our HAProxy drops any X-Forwarded-For a client sends and appends the peer it saw, so the last
entry is the one our proxy wrote; anything a client typed before it is ignored."""

from __future__ import annotations

import ipaddress

from aiohttp import web

TRUSTED_PROXIES_KEY = web.AppKey("trusted_proxies", frozenset)


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: web.Request) -> str:
    peer = request.remote or "unknown"
    trusted: frozenset[str] = request.app.get(TRUSTED_PROXIES_KEY, frozenset())
    if peer not in trusted:
        return peer
    forwarded = request.headers.get("X-Forwarded-For", "").split(",")
    return _valid_ip(forwarded[-1]) or peer
