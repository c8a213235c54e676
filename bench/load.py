"""The load client of the whole-stack bench: aiohttp in this process, asyncio concurrency.

A conversation is a list of messages sent one after another under one sender id (the next
message leaves when the reply to the previous one is in, as a person would). Many
conversations run at once for the concurrency figures.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

WEBHOOK = "/webhooks/rest/webhook"
TIMEOUT_SECONDS = 60.0

Check = Callable[[str, list[dict[str, Any]]], bool]  # (message, reply) -> reply looks right


@dataclass
class Turn:
    text: str
    index: int  # 0-based position in its conversation
    ms: float
    ok: bool  # answered and the reply passed the check
    answered: bool  # HTTP 200 with a JSON list before the client's timeout


@dataclass
class Run:
    turns: list[Turn] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the whole run

    def ms(self, text: str | None = None) -> list[float]:
        return [t.ms for t in self.turns if text is None or t.text == text]

    @property
    def failures(self) -> int:
        return sum(not t.ok for t in self.turns)

    @property
    def unanswered(self) -> int:
        return sum(not t.answered for t in self.turns)

    @property
    def throughput(self) -> float:
        return len(self.turns) / self.seconds if self.seconds else 0.0


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share 0.5 = median, 0.95 = p95)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    if share == 0.5:
        return float(statistics.median(ordered))
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def sender_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


async def send(session: aiohttp.ClientSession, url: str, sender: str,
               text: str) -> tuple[float, list[dict[str, Any]] | None]:
    started = time.perf_counter()
    try:
        async with session.post(url + WEBHOOK, json={"sender": sender, "message": text}) as resp:
            body = await resp.json(content_type=None) if resp.status == 200 else None
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        body = None
    return (time.perf_counter() - started) * 1000, body


async def conversation(session: aiohttp.ClientSession, url: str, messages: Sequence[str],
                       check: Check, run: Run, prefix: str = "bench",
                       sender: str | None = None) -> None:
    sender = sender or sender_id(prefix)
    for index, text in enumerate(messages):
        ms, body = await send(session, url, sender, text)
        answered = isinstance(body, list)
        ok = isinstance(body, list) and check(text, body)
        run.turns.append(Turn(text, index, ms, ok, answered))


def session_for(concurrency: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=max(concurrency, 1) * 2)
    return aiohttp.ClientSession(connector=connector,
                                 timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS))


async def run_conversations(url: str, conversations: Sequence[Sequence[str]], check: Check,
                            concurrency: int) -> Run:
    """All `conversations`, at most `concurrency` of them at the same time."""
    run = Run()
    gate = asyncio.Semaphore(concurrency)

    async def one(session: aiohttp.ClientSession, messages: Sequence[str]) -> None:
        async with gate:
            await conversation(session, url, messages, check, run)

    async with session_for(concurrency) as session:
        started = time.perf_counter()
        await asyncio.gather(*(one(session, messages) for messages in conversations))
        run.seconds = time.perf_counter() - started
    return run


def measure(url: str, conversations: Sequence[Sequence[str]], check: Check,
            concurrency: int) -> Run:
    return asyncio.run(run_conversations(url, conversations, check, concurrency))
