"""Which `/intent{...}` payloads typed or sent by a client reach Rasa as payloads.

Rasa treats any message that starts with "/" as an intent with entities, which lets anyone skip
NLU and set entities (e.g. `/request_human{"nis":"44021"}` from fresh sessions to fill a
counter's queue) or run Rasa's internal intents (`/restart`, `/session_start`, `/back`). A
payload is therefore accepted only when

* the bot offered exactly that button in the last `PAYLOAD_OFFERED_TURNS` turns (default 3) of
  this conversation (read from the conversation's own events, so nothing is kept in memory), or
* it is an entry point (`content/entry_points.yml` plus the chat page's starter buttons in
  `content/web.yml`): payloads without entities that any page may send at any time;

and never when its intent is internal (`INTERNAL_INTENTS`). Anything else is turned into plain
words ("request human 44021") so NLU handles it like any other message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.paths import DEFAULT_CONTENT_DIR

INTERNAL_INTENTS = frozenset({"restart", "session_start", "back", "nlu_fallback",
                              "unclear_input"})
DEFAULT_OFFERED_TURNS = 3
_PAYLOAD = re.compile(r"/(?P<intent>[A-Za-z0-9_]{1,60})(?P<entities>\{.*\})?", re.DOTALL)
_WORDS = re.compile(r"[^\w.@+-]+")


def parse_payload(text: str) -> tuple[str, dict[str, Any]] | None:
    """(intent, entities) of a payload, or None when `text` is not one."""
    match = _PAYLOAD.fullmatch(text.strip())
    if match is None:
        return None
    entities: Any = {}
    if match.group("entities"):
        try:
            entities = json.loads(match.group("entities"))
        except ValueError:
            return None
        if not isinstance(entities, dict):
            return None
    return match.group("intent"), entities


def canonical(text: str) -> str | None:
    """One spelling per payload (entity order and spacing do not matter)."""
    parsed = parse_payload(text)
    if parsed is None:
        return None
    intent, entities = parsed
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False)


def _kind_and_data(event: Any) -> tuple[Any, Any]:
    if isinstance(event, Mapping):
        return event.get("event"), event.get("data")
    return getattr(event, "type_name", None), getattr(event, "data", None)


def offered_payloads(events: Iterable[Any], turns: int = DEFAULT_OFFERED_TURNS) -> frozenset[str]:
    """Canonical payloads of the buttons the bot offered in the last `turns` turns (tracker
    events as objects or as JSON, oldest first)."""
    found: set[str] = set()
    seen_users = 0
    for event in reversed(list(events)):
        kind, data = _kind_and_data(event)
        if kind == "user":
            seen_users += 1
            if seen_users >= turns:
                break
        elif kind == "bot" and isinstance(data, Mapping):
            buttons = data.get("buttons") or data.get("quick_replies") or []
            for button in buttons if isinstance(buttons, list) else []:
                payload = button.get("payload") if isinstance(button, Mapping) else None
                key = canonical(payload) if isinstance(payload, str) else None
                if key:
                    found.add(key)
    return frozenset(found)


@lru_cache(maxsize=4)
def _entry_points(directory: Path) -> frozenset[str]:
    payloads: list[Any] = []
    listed = directory / "entry_points.yml"
    if listed.is_file():
        payloads += (yaml.safe_load(listed.read_text("utf-8")) or {}).get("entry_points") or []
    web = directory / "web.yml"
    if web.is_file():
        texts = yaml.safe_load(web.read_text("utf-8")) or {}
        payloads += [value for key, value in texts.items()
                     if re.fullmatch(r"starter_\d+_payload", str(key))]
    keys = {canonical(p) for p in payloads if isinstance(p, str)}
    return frozenset(k for k in keys if k and "{" not in k)


def entry_points(content_dir: Path = DEFAULT_CONTENT_DIR) -> frozenset[str]:
    return _entry_points(content_dir)


def as_plain_text(text: str) -> str:
    """The words of a refused payload: no slash, no braces, underscores as spaces."""
    parsed = parse_payload(text)
    if parsed is None:
        words = text.lstrip("/ ")
    else:
        intent, entities = parsed
        values = [str(v) for v in entities.values() if isinstance(v, (str, int, float))]
        words = " ".join([intent, *values])
    return " ".join(_WORDS.sub(" ", words.replace("_", " ")).split())


def accepted(text: str, offered: Iterable[str] = (),
             entries: frozenset[str] | None = None) -> bool:
    key = canonical(text)
    if key is None:
        return False
    intent = key[1:].split("{", 1)[0]
    if intent in INTERNAL_INTENTS:
        return False
    entries = entry_points() if entries is None else entries
    return key in entries or key in set(offered)


def guard(text: str, offered: Iterable[str] = (),
          entries: frozenset[str] | None = None) -> str:
    """`text` itself when it is an accepted payload, else its plain words."""
    return text.strip() if accepted(text, offered, entries) else as_plain_text(text)
