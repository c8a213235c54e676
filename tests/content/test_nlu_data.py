"""Training data hygiene: enough varied examples per topic, no sentence under two intents,
the held-out test sets never overlap the training data, generated files are up to date."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
import yaml

from scripts.sync_topics import outputs, topic_ids

MIN_EXAMPLES_PER_TOPIC = 25


def normalise(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # strip entity annotations
    return re.sub(r"\s+", " ", text.strip().lower())


def strict(text: str) -> str:
    """Words only: "terras?" and "terras", or "yes 👍" and "yes", are the same message."""
    return " ".join(re.findall(r"\w+", normalise(text)))


def examples_by_intent(paths) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            if "intent" in block:
                for line in block["examples"].splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        found[block["intent"]].append(normalise(line[2:]))
    return found


def training(root):
    return examples_by_intent(sorted((root / "data" / "nlu").glob("*.yml")))


def test_every_topic_has_enough_examples(root):
    data = training(root)
    for topic in topic_ids(root):
        assert len(set(data[f"ask_{topic}"])) >= MIN_EXAMPLES_PER_TOPIC, topic


def test_every_knowledge_intent_maps_to_a_topic(root):
    non_topic = {"ask_capabilities", "ask_followup", "ask_dossier_status"}
    topics = set(topic_ids(root))
    for intent in training(root):
        if intent.startswith("ask_") and intent not in non_topic:
            assert intent.removeprefix("ask_") in topics, intent


def test_no_example_is_used_for_two_intents(root):
    owners: dict[str, set[str]] = defaultdict(set)
    for intent, examples in training(root).items():
        for example in examples:
            owners[example].add(intent)
    clashes = {example: intents for example, intents in owners.items() if len(intents) > 1}
    assert not clashes


HELDOUT_SETS = ("heldout.yml", "heldout_angle.yml")


@pytest.mark.parametrize("name", HELDOUT_SETS)
def test_heldout_set_is_disjoint_from_training(root, name):
    train = {strict(e) for examples in training(root).values() for e in examples}
    heldout = examples_by_intent([root / "tests" / "nlu" / name])
    overlap = {strict(e) for examples in heldout.values() for e in examples} & train
    assert not overlap
    assert set(heldout) <= set(training(root)), "held-out intents must exist in training"


@pytest.mark.parametrize("name", HELDOUT_SETS)
def test_heldout_set_has_no_sentence_under_two_intents(root, name):
    owners: dict[str, set[str]] = defaultdict(set)
    for intent, examples in examples_by_intent([root / "tests" / "nlu" / name]).items():
        for example in examples:
            owners[example].add(intent)
    assert not {e: i for e, i in owners.items() if len(i) > 1}


def test_heldout_sets_are_disjoint_from_each_other(root):
    first, second = (
        {strict(e) for examples in examples_by_intent([root / "tests" / "nlu" / name]).values()
         for e in examples}
        for name in HELDOUT_SETS)
    assert not first & second


def test_generated_domain_and_rules_are_up_to_date(root):
    for path, expected in outputs(root).items():
        assert path.read_text(encoding="utf-8") == expected, f"run scripts/sync_topics.py ({path})"
