"""Checking, in the web app, that a conversation id was issued by the widget's socket.io
channel (connectors/widget.py `ConversationIds`): 32 random hex characters, `-`, and 22
characters of the HMAC-SHA256 of them (URL-safe base64), with the same key: the
WIDGET_SESSION_SECRET, else a key derived from the run's RASA_API_TOKEN. Without either the
channel's key is random per process and no id can be checked here."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

NONCE = 32
SIGNATURE = 22
_HEX = frozenset("0123456789abcdef")


def widget_key(session_secret: str, api_token: str) -> bytes | None:
    if session_secret:
        return session_secret.encode("utf-8")
    if api_token:
        return hmac.new(api_token.encode("utf-8"), b"widget conversation ids",
                        hashlib.sha256).digest()
    return None


def issued_by_widget(value: Any, key: bytes | None) -> bool:
    """The id has the widget's shape and a signature made with `key`."""
    if key is None or not isinstance(value, str) or len(value) != NONCE + 1 + SIGNATURE:
        return False
    nonce, dash, signature = value[:NONCE], value[NONCE], value[NONCE + 1:]
    if dash != "-" or not set(nonce) <= _HEX:
        return False
    digest = hmac.new(key, nonce.encode("ascii"), hashlib.sha256).digest()
    expected = base64.urlsafe_b64encode(digest).decode("ascii")[:SIGNATURE]
    return hmac.compare_digest(signature, expected)
