"""Checks on incoming webhooks: secrets and signatures compared in constant time, and stale or
replayed requests recognised.

* Telegram: `X-Telegram-Bot-Api-Secret-Token` equals the secret given to `setWebhook`.
* Twilio: `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, URL + each POST parameter name
  and value, sorted by name)), as documented by Twilio.
* Teams outgoing webhook: `Authorization: HMAC <base64(HMAC-SHA256(base64-decoded security
  token, raw body))>`, as documented by Microsoft.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping

MAX_CLOCK_SKEW_SECONDS = 120.0


def tokens_match(given: str | None, expected: str) -> bool:
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def twilio_signature(auth_token: str, url: str,
                     params: Mapping[str, Iterable[str]]) -> str:
    data = url
    for name in sorted(params):
        for value in sorted(set(params[name])):
            data += name + value
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def twilio_signature_valid(auth_token: str, url: str, params: Mapping[str, Iterable[str]],
                           signature: str | None) -> bool:
    return bool(auth_token) and tokens_match(signature,
                                             twilio_signature(auth_token, url, params))


def teams_signature(security_token: str, body: bytes) -> str:
    key = base64.b64decode(security_token, validate=True)
    return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode("ascii")


def teams_signature_valid(security_token: str, body: bytes, authorization: str | None) -> bool:
    if not security_token or not authorization or not authorization.startswith("HMAC "):
        return False
    try:
        expected = teams_signature(security_token, body)
    except (binascii.Error, ValueError):
        return False
    return tokens_match(authorization[len("HMAC "):].strip(), expected)


def is_stale(sent_at: float, max_age_seconds: float, now: float | None = None) -> bool:
    """Older than the allowed age, or implausibly far in the future."""
    now = time.time() if now is None else now
    return now - sent_at > max_age_seconds or sent_at - now > MAX_CLOCK_SKEW_SECONDS


class ReplayGuard:
    """Remembers the ids of handled requests for a while, so a replay is recognised."""

    def __init__(self, ttl_seconds: float = 24 * 3600, max_entries: int = 50_000) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()

    def seen_before(self, key: str, now: float | None = None) -> bool:
        """True when `key` was handled already; otherwise remember it and return False."""
        now = time.monotonic() if now is None else now
        while self._seen and (len(self._seen) >= self._max or
                              now - next(iter(self._seen.values())) > self._ttl):
            self._seen.popitem(last=False)
        if key in self._seen:
            return True
        self._seen[key] = now
        return False
