"""content/requested_documents.yml: valid against its schema, one list per dossier type, and a
broken file is refused with a message that names the problem."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from bot.catalog import ContentError
from bot.dossiers.dossier_types import load_dossier_types
from bot.dossiers.requested_documents import load_requested_documents, parse_requested_documents


@pytest.fixture(scope="module")
def data(root) -> dict[str, Any]:
    return yaml.safe_load((root / "content" / "requested_documents.yml").read_text("utf-8"))


def test_every_dossier_type_says_which_documents_it_asks_for(root, data):
    types = load_dossier_types(root / "content" / "dossier_types.yml")
    requested = parse_requested_documents(data, dossier_types=types)
    assert set(requested.by_type) == set(types)
    assert requested.for_type("terrasvergunning")[0].required
    assert requested.for_type("reclame_uithangbord")[0].required
    assert requested.for_type("evenementenvergunning")[0].required
    assert requested.for_type("algemene_vraag") == ()
    assert load_requested_documents(root / "content" / "requested_documents.yml") == requested


def test_texts_are_dutch_and_never_promise_a_legal_requirement(data):
    words = " ".join([*data["texts"].values(),
                      *(f"{d['label']} {d['hint']}" for docs in data["types"].values()
                        for d in docs)]).lower()
    assert "meestal" in data["texts"]["intro_web"]
    assert "wettelijk" not in words and "verplicht" not in words


@pytest.mark.parametrize(("change", "problem"), [
    (lambda d: d["types"]["terrasvergunning"][0].pop("required"), "'required' is a required"),
    (lambda d: d["types"]["terrasvergunning"][0].update(required="ja"), "is not of type 'boolean'"),
    (lambda d: d["types"]["terrasvergunning"][0].update(label=""), "label"),
    (lambda d: d["types"]["terrasvergunning"].append(d["types"]["terrasvergunning"][0]),
     "duplicate document ids terrace_plan"),
    (lambda d: d["texts"].update(intro_web="Geen lijst"), "intro_web"),
    (lambda d: d["texts"].pop("button"), "'button' is a required"),
    (lambda d: d["types"]["terrasvergunning"][0].update(extra=1), "Additional properties"),
])
def test_a_broken_file_is_refused_with_the_problem(data, change, problem):
    broken = copy.deepcopy(data)
    change(broken)
    with pytest.raises(ContentError, match=problem):
        parse_requested_documents(broken)


def test_a_type_missing_or_unknown_is_refused(root, data):
    types = load_dossier_types(root / "content" / "dossier_types.yml")
    missing = copy.deepcopy(data)
    del missing["types"]["horeca_uitbating"]
    with pytest.raises(ContentError, match=r"without a document list.*horeca_uitbating"):
        parse_requested_documents(missing, dossier_types=types)
    unknown = copy.deepcopy(data)
    unknown["types"]["kapsalon"] = []
    with pytest.raises(ContentError, match=r"not a dossier type.*kapsalon"):
        parse_requested_documents(unknown, dossier_types=types)
