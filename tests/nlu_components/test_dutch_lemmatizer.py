"""The offline Dutch lemmatizer: inflected forms, compounds and table cycles end on one lemma,
and the Rasa component writes it into the tokens that CountVectorsFeaturizer reads."""

from __future__ import annotations

import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.dutch_lemmatizer import DutchLemmatizer
from nlu_components.lemma_tables import DutchLemmaTables, snowball_dutch


@pytest.fixture(scope="module")
def tables() -> DutchLemmaTables:
    return DutchLemmaTables()


@pytest.mark.parametrize(("word", "lemma"), [
    ("terrassen", "terras"),          # noun rule checked against the noun index
    ("werden", "worden"),             # irregular verb (exceptions table)
    ("mag", "mogen"),
    ("vergunningen", "vergunning"),
    ("documenten", "document"),
    ("Uithangborden", "uithangbord"),  # lower-cased
    ("terrasvergunningen", "terrasvergunning"),  # compound: lemma of its known tail
])
def test_inflected_forms_get_their_lemma(tables, word, lemma):
    assert tables.lemma(word) == lemma


def test_verb_and_noun_forms_meet_on_one_lemma(tables):
    assert tables.lemma("aangevraagd") == tables.lemma("aanvragen") == tables.lemma("aanvraag")


def test_unknown_words_and_non_words_are_left_alone(tables):
    assert tables.lemma("terasvergunnig") == "terasvergunnig"
    assert tables.lemma("9300") == "9300"


def test_snowball_only_for_words_no_table_knows():
    tables = DutchLemmaTables(snowball_dutch())
    assert tables.lemma("terasvergunnig") == "terasvergun"
    assert tables.lemma("terrassen") == "terras"


def message(text: str) -> Message:
    msg = Message(data={TEXT: text})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([msg])
    return msg


def test_component_sets_token_lemmas_for_training_and_parsing():
    component = DutchLemmatizer(DutchLemmatizer.get_default_config())
    training = TrainingData([message("de terrassen werden aangevraagd")])
    component.process_training_data(training)
    lemmas = [t.lemma for t in training.training_examples[0].get(TOKENS_NAMES[TEXT])]
    assert lemmas == ["de", "terras", "worden", "aanvraag"]
    [parsed] = component.process([message("mag ik uithangborden")])
    assert [t.lemma for t in parsed.get(TOKENS_NAMES[TEXT])] == ["mogen", "ik", "uithangbord"]
