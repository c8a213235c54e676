"""The e5 featurizer adds one 384-dimensional sentence vector per message (the packaged model,
no download); similar questions get closer vectors than unrelated ones; the cache is bounded."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.e5_featurizer import E5Featurizer


@pytest.fixture(scope="module")
def featurizer() -> E5Featurizer:
    config = {**E5Featurizer.get_default_config(), "cache_size": 3}
    return E5Featurizer(config, "e5")


def sentence_vector(message: Message) -> np.ndarray:
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is None
    assert sentence is not None
    return sentence.features[0]


def test_training_and_parsing_get_one_sentence_vector(featurizer):
    training = TrainingData([Message(data={TEXT: "mag ik een terras zetten voor mijn café"}),
                             Message(data={TEXT: "hoe vraag ik een terrasvergunning aan"}),
                             Message(data={"intent": "greet"})])
    featurizer.process_training_data(training)
    first, second = (sentence_vector(m) for m in training.training_examples[:2])
    assert first.shape == (384,)
    assert abs(float(np.linalg.norm(first)) - 1.0) < 1e-3
    [other] = featurizer.process([Message(data={TEXT: "wie wint de ronde van vlaanderen"})])
    assert float(first @ second) > float(first @ sentence_vector(other))
    assert training.training_examples[2].get_dense_features(TEXT) == (None, None)


def test_cache_keeps_only_recent_texts(featurizer):
    featurizer.encode([f"vraag {n}" for n in range(5)])
    assert len(featurizer._cache) == 3
