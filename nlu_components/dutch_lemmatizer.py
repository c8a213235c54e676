"""Rasa component that gives every text token a Dutch lemma (see lemma_tables.py), for
`CountVectorsFeaturizer` with `use_lemma: true`. Place it right after the tokenizer.

    - name: nlu_components.dutch_lemmatizer.DutchLemmatizer
      snowball_fallback: false   # true: Snowball stem for words no table knows
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.lemma_tables import DutchLemmaTables, snowball_dutch


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class DutchLemmatizer(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"snowball_fallback": False}

    @staticmethod
    def required_packages() -> list[str]:
        return ["spacy_lookups_data"]

    def __init__(self, config: dict[str, Any]) -> None:
        fallback = snowball_dutch() if config.get("snowball_fallback") else None
        self._tables = DutchLemmaTables(fallback)

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> DutchLemmatizer:
        return cls(config)

    def lemmatize(self, message: Message) -> None:
        for token in message.get(TOKENS_NAMES[TEXT]) or []:
            token.lemma = self._tables.lemma(token.text)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self.lemmatize(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self.lemmatize(message)
        return messages
