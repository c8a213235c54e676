"""Honest review dates, titled deep sources and dated answers (issue 17)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.catalog import (
    Catalog,
    ContentError,
    cited_sources,
    is_bare_home_page,
    review_problems,
    topic_from_dict,
)

TODAY = date.today()
# Topics that are themselves about one site may cite its home page (none today).
SITE_TOPICS: dict[str, str] = {}


@pytest.fixture(scope="module")
def catalog(root):
    return Catalog.load(root / "content" / "topics")


def base_topic(**changes):
    data = {
        "id": "proef", "title": "Proeftopic", "category": "vergunning", "product_type": "Toelating",
        "competent_authority": {"level": "lokaal", "name": "Gemeente"}, "local": True,
        "answer": "Dit is een proefantwoord dat lang genoeg is om aan het schema te voldoen, "
                  "met genoeg woorden om de minimale lengte te halen.",
        "sources": [{"title": "VLAIO – Proefpagina", "url": "https://www.vlaio.be/nl/proef",
                     "checked_on": "2026-11-30"}],
        "last_reviewed": "2026-11-30", "reviewed_by": "Sofie (dienst economie)",
    }
    data.update(changes)
    return data


def write(tmp_path: Path, data) -> Path:
    (tmp_path / f"{data['id']}.yml").write_text(yaml.safe_dump(data, allow_unicode=True))
    return tmp_path


def test_every_topic_has_review_fields_and_titled_sources(root):
    for path in sorted((root / "content" / "topics").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert "reviewed_by" in data and "last_reviewed" in data, path.name
        for source in data["sources"]:
            assert len(source["title"]) >= 3 and "checked_on" in source, (path.name, source)


def test_no_review_claim_is_dishonest(catalog):
    problems = {t: review_problems(catalog.get(t), TODAY) for t in catalog.ids()}
    assert {t: p for t, p in problems.items() if p} == {}


def test_some_topics_are_reviewed_and_the_rest_say_so(catalog):
    reviewed = [t for t in catalog.ids() if catalog.get(t).last_reviewed]
    assert len(reviewed) >= 10
    for topic_id in catalog.ids():
        topic = catalog.get(topic_id)
        assert (topic.last_reviewed is None) == (topic.reviewed_by is None), topic_id


@pytest.mark.parametrize(("changes", "problem"), [
    ({"last_reviewed": "2999-01-01"}, "in the future"),
    ({"sources": [{"title": "VLAIO – Proef", "url": "https://www.vlaio.be/nl/proef",
                   "checked_on": None}]}, "none of its sources was ever checked"),
    ({"sources": [{"title": "VLAIO – Proef", "url": "https://www.vlaio.be/nl/proef",
                   "checked_on": "2999-01-01"}]}, "checked_on 2999-01-01 is in the future"),
    ({"reviewed_by": None}, "without reviewed_by"),
    ({"last_reviewed": None}, "reviewed_by without last_reviewed"),
])
def test_review_problems_are_found(changes, problem):
    topic = topic_from_dict(base_topic(**changes))
    assert any(problem in p for p in review_problems(topic, TODAY))


def test_a_never_reviewed_topic_is_not_a_test_failure():
    topic = topic_from_dict(base_topic(last_reviewed=None, reviewed_by=None, sources=[
        {"title": "VLAIO – Proef", "url": "https://www.vlaio.be/nl/proef", "checked_on": None}]))
    assert review_problems(topic, TODAY) == []


@pytest.mark.parametrize(("url", "bare"), [
    ("https://www.vlaio.be/nl", True), ("https://www.vlaio.be/nl/", True),
    ("https://wegenenverkeer.be", True), ("https://www.ovam.be/", True),
    ("https://www.inasti.be", True),
    ("https://www.vlaio.be/nl/nieuws/het-definitieve-einde-van-de-leurkaart", False),
    ("https://www.vlaanderen.be/omgevingsvergunning", False),
])
def test_bare_home_page_detection(url, bare):
    assert is_bare_home_page(url) is bare


def test_no_topic_cites_a_bare_home_page(catalog):
    """Example overrides (demo content, marked example) are listed by the content report."""
    for topic_id in catalog.ids():
        for source in cited_sources(catalog.get(topic_id)):
            if is_bare_home_page(source.url):
                assert SITE_TOPICS.get(topic_id) and SITE_TOPICS[topic_id] in source.url, \
                    (topic_id, source.url)


def test_every_topic_has_an_answer_today(catalog):
    for topic_id in catalog.ids():
        assert catalog.get(topic_id).answer_for(None, TODAY) is not None, topic_id


def test_schema_rejects_a_source_without_title_or_checked_on(tmp_path):
    with pytest.raises(ContentError, match=r"sources/0"):
        Catalog.load(write(tmp_path, base_topic(sources=[{"url": "https://www.vlaio.be/nl/x",
                                                          "checked_on": None}])))
    with pytest.raises(ContentError, match="checked_on"):
        Catalog.load(write(tmp_path, base_topic(sources=[{"title": "VLAIO – X",
                                                          "url": "https://www.vlaio.be/nl/x"}])))


@pytest.mark.parametrize(("changes", "message"), [
    ({"valid_from": "2026-05-01", "valid_until": "2026-04-30"}, "after valid_until"),
    ({"last_reviewed": "2026-02-30"}, "last_reviewed"),
    ({"valid_from": "1-2-2026"}, "valid_from"),
])
def test_invalid_dates_are_rejected_with_the_file_name(tmp_path, changes, message):
    with pytest.raises(ContentError, match=message) as error:
        Catalog.load(write(tmp_path, base_topic(**changes)))
    assert "proef.yml" in str(error.value)
