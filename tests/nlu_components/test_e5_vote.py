"""The e5 neighbour vote: trained vectors survive persist/load, a confident DIET prediction is
left alone, an unsure one is blended with the vote of the nearest training examples."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.e5_vote import E5NeighbourVote

EXAMPLES = {
    "ask_terrasvergunning": ["mag ik tafels en stoelen op het voetpad zetten",
                             "terrasvergunning aanvragen voor mijn café"],
    "ask_bewakingscamera": ["moet ik mijn bewakingscamera aangeven bij de politie",
                            "camera in mijn winkel ophangen"],
}


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[LocalModelStorage, Resource, dict]:
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    resource = Resource("e5_vote")
    config = {**E5NeighbourVote.get_default_config(), "k": 3}
    component = E5NeighbourVote.create(config, storage, resource,
                                       ExecutionContext(None))  # type: ignore[arg-type]
    component.train(TrainingData([Message(data={TEXT: text, INTENT: intent})
                                  for intent, texts in EXAMPLES.items() for text in texts]))
    return storage, resource, config


def diet_says(text: str, ranking: list[tuple[str, float]]) -> Message:
    entries = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message(data={TEXT: text, INTENT: entries[0], INTENT_RANKING_KEY: entries})


def loaded(trained) -> E5NeighbourVote:
    storage, resource, config = trained
    return E5NeighbourVote.load(config, storage, resource,
                                ExecutionContext(None))  # type: ignore[arg-type]


def test_unsure_prediction_follows_the_nearest_examples(trained):
    message = diet_says("CCTV camera in my shop, moet ik dat melden",
                        [("ask_terrasvergunning", 0.3), ("ask_bewakingscamera", 0.25)])
    [result] = loaded(trained).process([message])
    assert result.get(INTENT)["name"] == "ask_bewakingscamera"
    ranking = result.get(INTENT_RANKING_KEY)
    assert ranking[0] == result.get(INTENT)
    assert ranking[0]["confidence"] >= ranking[1]["confidence"]


def test_confident_prediction_is_left_alone(trained):
    message = diet_says("camera in mijn winkel",
                        [("ask_terrasvergunning", 0.9), ("ask_bewakingscamera", 0.05)])
    [result] = loaded(trained).process([message])
    assert result.get(INTENT)["name"] == "ask_terrasvergunning"
    assert result.get(INTENT)["confidence"] == 0.9


def test_untrained_component_changes_nothing(tmp_path):
    storage = LocalModelStorage(tmp_path)
    component = E5NeighbourVote.load(E5NeighbourVote.get_default_config(), storage,
                                     Resource("missing"),
                                     ExecutionContext(None))  # type: ignore[arg-type]
    message = diet_says("iets", [("greet", 0.2), ("goodbye", 0.1)])
    [result] = component.process([message])
    assert result.get(INTENT)["name"] == "greet"
