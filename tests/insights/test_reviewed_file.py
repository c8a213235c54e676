"""The reviewed training file: valid Rasa NLU YAML, masked and cleaned examples, no example
Rasa would see under two intents; and the word-overlap grouping behind the review page."""

from __future__ import annotations

from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.insights.grouping import Question, group_questions
from bot.insights.reviewed_file import add_examples, clean_example, read_examples


def test_examples_are_masked_and_plain_text():
    assert clean_example("mail mij op jan@example.be of bel 0475 12 34 56") == \
        "mail mij op of bel"
    assert clean_example("[terras](x) op {de} stoep") == "terras x op de stoep"
    assert clean_example("- # help") is None  # too little left


def test_the_file_is_valid_rasa_nlu_and_merges(tmp_path):
    data = tmp_path / "data"
    (data / "nlu").mkdir(parents=True)
    (data / "nlu" / "terras.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: ask_terrasvergunning\n  examples: |\n'
        "    - terrasvergunning gent\n", "utf-8")
    reviewed = data / "nlu" / "reviewed.yml"
    added = add_examples(reviewed, data, "ask_reclame_uithangbord",
                         ["Terrasvergunning  Gent", "uithangbord: mag: dat?", "bord aan de gevel"])
    assert added == ["uithangbord: mag: dat?", "bord aan de gevel"]  # the first is trained
    assert add_examples(reviewed, data, "ask_terrasvergunning", ["bord aan de gevel"]) == []
    add_examples(reviewed, data, "ask_terrasvergunning", ["terras met windscherm"])
    assert read_examples(reviewed) == {
        "ask_reclame_uithangbord": ["bord aan de gevel", "uithangbord: mag: dat?"],
        "ask_terrasvergunning": ["terras met windscherm"]}
    training = RasaYAMLReader().reads(reviewed.read_text("utf-8"))
    assert sorted(m.get("text") for m in training.intent_examples) == [
        "bord aan de gevel", "terras met windscherm", "uithangbord: mag: dat?"]
    assert not training.entity_examples


def test_similar_questions_group_and_different_ones_do_not():
    texts = ["mag ik een zonnescherm boven mijn winkel hangen",
             "zonnescherm winkel ophangen regels", "zonnescherm boven de winkel aanvragen",
             "hoeveel kost een parkeerkaart voor mijn bestelwagen",
             "parkeerkaart bestelwagen prijs", "wanneer is het containerpark open"]
    groups = group_questions(Question(f"k{n}", t, f"c{n}") for n, t in enumerate(texts))
    assert [sorted(q.key for q in g.questions) for g in groups] == [
        ["k0", "k1", "k2"], ["k3", "k4"], ["k5"]]
    assert groups[0].shared_words()[:2] == ["winkel", "zonnescherm"]
