"""After a load run: what the stores hold against what the owners were told. A dossier or
hand-off request stored twice, stored without the owner getting its reference, or promised
but not stored, is counted; the goal is zero of each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, text

from bench.loadtest.profiles import RunningProfile


@dataclass(frozen=True)
class StoreCheck:
    kind: str  # "dossier" or "handoff"
    promised: int  # conversations whose owner got a reference
    stored: int  # rows of the run's conversations
    duplicated: int  # conversations with more than one row
    missing: int  # references given to an owner that are not stored
    unconfirmed: int  # rows whose reference the owner never saw (reply lost)

    @property
    def ok(self) -> bool:
        return self.duplicated == self.missing == self.unconfirmed == 0


def _url(env: Mapping[str, str], url_var: str, path_var: str | None) -> str:
    if env.get(url_var):
        return env[url_var]
    if path_var and env.get(path_var):
        return f"sqlite:///{env[path_var]}"
    raise KeyError(f"neither {url_var} nor {path_var} is set for the stack")


def _rows(url: str, table: str) -> list[tuple[str, str]]:
    engine = create_engine(url.replace("postgresql+asyncpg://", "postgresql://")
                           .replace("sqlite+aiosqlite://", "sqlite://"))
    try:
        with engine.connect() as conn:
            result = conn.execute(text(
                f"SELECT conversation_id, reference FROM {table} "
                "WHERE conversation_id LIKE 'load-%'"))
            return [(str(row[0]), str(row[1])) for row in result]
    finally:
        engine.dispose()


def check(kind: str, rows: list[tuple[str, str]],
          conversations: Mapping[str, Mapping[str, Any]]) -> StoreCheck:
    per_conversation = Counter(conversation for conversation, _ in rows)
    stored_refs = {reference for _, reference in rows}
    told = {sender: set(c.get("references") or []) for sender, c in conversations.items()
            if c.get("kind") == kind}
    promised_refs = set().union(*told.values()) if told else set()
    return StoreCheck(
        kind=kind,
        promised=sum(1 for refs in told.values() if refs),
        stored=len(rows),
        duplicated=sum(1 for count in per_conversation.values() if count > 1),
        missing=len(promised_refs - stored_refs),
        unconfirmed=len(stored_refs - promised_refs),
    )


def check_stores(profile: RunningProfile,
                 conversations: Mapping[str, Mapping[str, Any]]) -> list[StoreCheck]:
    env = profile.env
    dossiers = _rows(_url(env, "DOSSIER_DB_URL", None), "dossiers")
    handoffs = _rows(_url(env, "HANDOFF_DB_URL", "HANDOFF_DB"), "requests")
    return [check("dossier", dossiers, conversations), check("handoff", handoffs, conversations)]
