"""The analytics writes. Every write of one event (or one batch) happens in one transaction
together with the event's key (`insights_seen`) and the reader's position
(`insights_position`), so a crash, a restart or a redelivery never counts anything twice and
never skips anything. The tables are the storage layer's role `insights`
(bot/storage/migrations/insights/), migrated when a `Database` is first used."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable

from bot.insights.db import Tx
from bot.insights.turns import ConversationState, HandoffOutcome, HandoffTaken, Output, Turn

_TURN_COLUMNS = ("turn_key, conversation, at, day, tenant, nis, municipality, counter, topic, "
                 "intent, confidence, fell_back, clarified, handoff, handoff_ref, "
                 "handoff_outcome, dossier_started, dossier_submitted, dossier_ref, channel, "
                 "response_ms, to_officer, text")
_INSERT_TURN = (f"INSERT INTO insights_turns ({_TURN_COLUMNS}) VALUES "  # noqa: S608
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (turn_key) DO NOTHING")


async def position(tx: Tx, source: str) -> int:
    row = await tx.fetchone("SELECT position FROM insights_position WHERE source = ?", source)
    return int(row["position"]) if row else 0


async def set_position(tx: Tx, source: str, value: int) -> None:
    await tx.execute("INSERT INTO insights_position (source, position) VALUES (?, ?) "
                     "ON CONFLICT (source) DO UPDATE SET position = excluded.position",
                     source, value)


async def first_time(tx: Tx, key: str) -> bool:
    """Mark the event as seen; False when it was seen before (a redelivery or a re-read)."""
    return await tx.execute("INSERT INTO insights_seen (event_key, seen_at) VALUES (?, ?) "
                            "ON CONFLICT (event_key) DO NOTHING", key, time.time()) == 1


async def load_state(tx: Tx, conversation: str) -> ConversationState:
    row = await tx.fetchone("SELECT state FROM insights_conversations WHERE conversation = ?",
                            conversation)
    return ConversationState.from_json(json.loads(row["state"]) if row else None)


async def save_state(tx: Tx, conversation: str, state: ConversationState) -> None:
    await tx.execute(
        "INSERT INTO insights_conversations (conversation, state, is_open, last_ts) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (conversation) DO UPDATE SET state = excluded.state, "
        "is_open = excluded.is_open, last_ts = excluded.last_ts",
        conversation, json.dumps(state.as_json(), ensure_ascii=False),
        1 if state.pending else 0, state.last_ts)


async def open_conversations(tx: Tx, before_ts: float) -> list[str]:
    rows = await tx.fetchall("SELECT conversation FROM insights_conversations WHERE "
                             "is_open = 1 AND last_ts < ?", before_ts)
    return [str(row["conversation"]) for row in rows]


async def write_outputs(tx: Tx, outputs: Iterable[Output]) -> None:
    for output in outputs:
        if isinstance(output, Turn):
            await write_turn(tx, output)
        elif isinstance(output, HandoffOutcome):
            await tx.execute("UPDATE insights_turns SET handoff_outcome = ? "
                             "WHERE handoff_ref = ?", output.status, output.ref)
        elif isinstance(output, HandoffTaken):
            await tx.execute("INSERT INTO insights_handoff_taken (ref, at) VALUES (?, ?) "
                             "ON CONFLICT (ref) DO NOTHING", output.ref, output.at)


async def write_turn(tx: Tx, turn: Turn) -> None:
    await tx.execute(
        _INSERT_TURN, turn.key, turn.conversation, turn.at, turn.day, turn.tenant, turn.nis,
        turn.municipality, turn.counter, turn.topic, turn.intent, turn.confidence,
        int(turn.fell_back), int(turn.clarified), turn.handoff, turn.handoff_ref,
        turn.handoff if turn.handoff else None, turn.dossier_started, turn.dossier_submitted,
        turn.dossier_ref, turn.channel, turn.response_ms, int(turn.to_officer), turn.text)
    if turn.nis:
        # A conversation belongs to the municipality the owner names: its earlier turns too.
        await tx.execute("UPDATE insights_turns SET nis = ?, municipality = ? WHERE "
                         "conversation = ? AND nis IS NULL", turn.nis, turn.municipality,
                         turn.conversation)
        await tx.execute("UPDATE insights_feedback SET nis = ? WHERE conversation = ? AND "
                         "nis IS NULL", turn.nis, turn.conversation)
    if turn.dossier_step and turn.dossier_form:
        await tx.execute("INSERT INTO insights_dossier_steps (turn_key, conversation, "
                         "dossier_type, step, at) VALUES (?, ?, ?, ?, ?) "
                         "ON CONFLICT (turn_key) DO NOTHING", turn.key, turn.conversation,
                         turn.dossier_form, turn.dossier_step, turn.at)
    for message in turn.messages:
        await tx.execute("INSERT INTO insights_messages (message, turn_key) VALUES (?, ?) "
                         "ON CONFLICT (message) DO NOTHING", message, turn.key)


async def write_vote(tx: Tx, *, vote_key: str, conversation: str, message: str, vote: str,
                     topic: str | None, nis: str | None, day: str) -> None:
    """A feedback vote, attached to the turn of the message it is for when that is known."""
    turn = await tx.fetchone(
        "SELECT t.turn_key, t.nis, t.topic FROM insights_messages m JOIN insights_turns t "
        "ON t.turn_key = m.turn_key WHERE m.message = ?", message)
    if turn is None:
        turn = await tx.fetchone("SELECT NULL AS turn_key, nis, NULL AS topic FROM "
                                 "insights_turns WHERE conversation = ? AND nis IS NOT NULL "
                                 "ORDER BY at DESC LIMIT 1", conversation)
    turn_key = turn["turn_key"] if turn else None
    await tx.execute(
        "INSERT INTO insights_feedback (vote_key, conversation, turn_key, vote, topic, nis, day) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (vote_key) DO NOTHING",
        vote_key, conversation, turn_key, vote,
        (turn["topic"] if turn and turn["topic"] else None) or topic,
        (turn["nis"] if turn and turn["nis"] else None) or nis, day)


async def purge_texts(tx: Tx, before_ts: float) -> int:
    """Free texts are kept only for the retention period; the counts stay."""
    return await tx.execute("UPDATE insights_turns SET text = NULL WHERE text IS NOT NULL AND "
                            "at < ?", before_ts)


async def purge_seen(tx: Tx, before_ts: float) -> int:
    return await tx.execute("DELETE FROM insights_seen WHERE seen_at < ?", before_ts)
