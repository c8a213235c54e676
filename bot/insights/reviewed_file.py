"""The reviewed training file (`data/nlu/reviewed.yml`, INSIGHTS_REVIEWED_FILE): questions the
bot could not answer that an officer assigned to a topic, as Rasa NLU training data.

It is the one place such examples go: a data steward reads the file (its diff) before it is
committed, and `make train` picks it up with the rest of `data/` (docs/insights-review.md).
Only masked text goes in, cleaned so Rasa reads it as plain text: mask placeholders, brackets
and braces (Rasa's entity syntax) are removed, whitespace collapsed. An example that is already
training data anywhere under the data folder (any intent) is skipped, so `rasa data validate`
never sees one text under two intents. The file is rewritten whole (atomically), intents and
their examples sorted, so diffs stay small and readable.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.insights.events import mask_text

HEADER = (
    "# Questions the bot could not answer, assigned to a topic by an officer in\n"
    "# /officer/insights/review (masked text only, no sender ids). A data steward reviews\n"
    "# this file before it is committed; `make train` picks it up (docs/insights-review.md).\n"
)
MIN_WORDS = 2
MAX_CHARS = 200
_PLACEHOLDER = re.compile(r"\[(?:email|phone|number|national_number|enterprise_number|iban|"
                          r"secret)\]")
_RASA_SYNTAX = re.compile(r"[\[\]{}()]")
_SPACE = re.compile(r"\s+")


def clean_example(text: str) -> str | None:
    """The example as it goes into the file, or None when too little is left of it."""
    masked = mask_text(text)  # again: the file never gets unmasked text, whatever came in
    if masked is None:
        return None
    cleaned = _SPACE.sub(" ", _RASA_SYNTAX.sub(" ", _PLACEHOLDER.sub(" ", masked))).strip()
    cleaned = cleaned.lstrip("-#>|*&!%@`'\" ").strip()
    if len(cleaned.split()) < MIN_WORDS:
        return None
    return cleaned[:MAX_CHARS]


def _key(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def read_examples(path: Path) -> dict[str, list[str]]:
    """intent -> examples of one Rasa NLU YAML file (empty when the file is missing)."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    found: dict[str, list[str]] = {}
    for block in data.get("nlu") or []:
        if not isinstance(block, Mapping) or "intent" not in block:
            continue
        lines = str(block.get("examples") or "").splitlines()
        examples = [line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")]
        found.setdefault(str(block["intent"]), []).extend(examples)
    return found


def known_examples(data_dir: Path, skip: Path) -> set[str]:
    """Every example text of the other NLU files under the data folder (folded)."""
    known: set[str] = set()
    if not data_dir.is_dir():
        return known
    for path in sorted(data_dir.rglob("*.yml")):
        if path.resolve() == skip.resolve():
            continue
        try:
            for examples in read_examples(path).values():
                known.update(_key(example) for example in examples)
        except (yaml.YAMLError, AttributeError):
            continue  # stories and rules have no nlu key; a broken file is Rasa's to report
    return known


def render(examples: Mapping[str, Iterable[str]]) -> str:
    blocks: list[dict[str, Any]] = []
    for intent in sorted(examples):
        texts = sorted(set(examples[intent]), key=str.casefold)
        if texts:
            blocks.append({"intent": intent,
                           "examples": "".join(f"- {text}\n" for text in texts)})
    body = yaml.dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False,
                     width=1000, Dumper=_LiteralDumper)
    return HEADER + body


class _LiteralDumper(yaml.SafeDumper):
    pass


def _literal(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _literal)


def add_examples(path: Path, data_dir: Path, intent: str, texts: Iterable[str]) -> list[str]:
    """Merge the cleaned texts into the file under `intent`; returns the examples added."""
    current = read_examples(path)
    taken = known_examples(data_dir, path) | {_key(t) for ts in current.values() for t in ts}
    added: list[str] = []
    for text in texts:
        example = clean_example(text)
        if example is None or _key(example) in taken:
            continue
        taken.add(_key(example))
        added.append(example)
    if not added:
        return []
    current.setdefault(intent, []).extend(added)
    write_atomically(path, render(current))
    return added


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
