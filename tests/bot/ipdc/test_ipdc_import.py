"""Import from the Flemish product catalogue: paging, latest versions, mapping, review files,
approval and what the catalog then serves. Fixture pages in tests/fixtures/ipdc; no network."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.catalog import Catalog, ContentError
from bot.ipdc import stream
from bot.ipdc.__main__ import main
from bot.ipdc.mapping import (
    dutch,
    html_to_text,
    latest_versions,
    nis_code,
    product_from_snapshot,
)
from bot.ipdc.writer import ImportFileError, approve, guess_topic, read, reject, write_imports

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "ipdc"
TODAY = date(2026, 12, 1)
MUNICIPALITIES = {"41002": "Aalst", "44021": "Gent", "46021": "Sint-Niklaas"}
TOPICS = {"terrasvergunning": "Terrasvergunning", "nachtwinkel": "Nachtwinkel of belwinkel",
          "evenementenvergunning": "Evenement organiseren (evenementenvergunning)"}
TERRAS = "41002/0f1c2d3e-fixture-terras-aalst.yml"


def snapshots():
    found = []
    for _ref, member in stream.iterate(stream.DirectorySource(FIXTURES)):
        product = product_from_snapshot(member)
        if product:
            found.append(product)
    return found


def run(out: Path):
    return write_imports(latest_versions(snapshots()), out, MUNICIPALITIES, TOPICS, TODAY)


def test_pages_are_followed_once_along_greater_than_or_equal_relations():
    refs = [ref for ref, _m in stream.iterate(stream.DirectorySource(FIXTURES))]
    assert list(dict.fromkeys(refs)) == ["page-0.json", "page-1.json", "page-2.json"]
    assert len(refs) == 7


def test_a_loop_back_to_an_earlier_page_is_read_only_once(tmp_path):
    for name in ("page-0.json", "page-1.json"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    page = json.loads((tmp_path / "page-1.json").read_text())
    page["view"]["relation"] = [{"@type": "GreaterThanOrEqualToRelation", "node": "page-0.json"}]
    (tmp_path / "page-1.json").write_text(json.dumps(page))
    refs = [ref for ref, _m in stream.iterate(stream.DirectorySource(tmp_path))]
    assert refs.count("page-0.json") == 2 and len(set(refs)) == 2  # two members, one read


def test_url_source_sends_the_api_key_and_follows_absolute_links(monkeypatch):
    pages = {f"{stream.DEFAULT_FEED}?pageNumber={n}": (FIXTURES / f"page-{n}.json").read_bytes()
             for n in range(3)}
    seen = []

    def fake_urlopen(request, timeout):
        seen.append((request.full_url, request.get_header("X-api-key"),
                     request.get_header("Accept")))
        return io.BytesIO(pages[request.full_url])

    monkeypatch.setattr(stream.urllib.request, "urlopen", fake_urlopen)
    source = stream.UrlSource(f"{stream.DEFAULT_FEED}?pageNumber=0", api_key="geheim")
    assert len(list(stream.iterate(source))) == 7
    assert [s[0][-1] for s in seen] == ["0", "1", "2"]
    assert all(s[1] == "geheim" and s[2] == "application/ld+json" for s in seen)


def test_unreadable_page_is_a_stream_error(tmp_path):
    (tmp_path / "page-0.json").write_text("[1, 2]")
    with pytest.raises(stream.StreamError, match=r"page-0\.json"):
        list(stream.iterate(stream.DirectorySource(tmp_path)))


def test_latest_version_of_each_product_is_kept():
    latest = {p.product.rsplit("/", 1)[-1]: p for p in latest_versions(snapshots())}
    assert len(latest) == 5
    assert latest["0f1c2d3e-fixture-terras-aalst"].snapshot.endswith("terras-aalst-v2")
    assert latest["7a8b9c0d-fixture-evenement-gent"].archived


def test_mapping_of_the_fields():
    terras = next(p for p in latest_versions(snapshots()) if "terras" in p.product)
    assert terras.title == "Terrasvergunning"
    assert terras.description.startswith("Wil je tafels en stoelen")
    assert terras.requirements[0].startswith("Voorwaarden: - Je hebt een horecazaak")
    assert "Een plannetje van het terras." in terras.requirements[0]  # the evidence
    assert terras.procedures[0].startswith("Procedure: Je vraagt de vergunning online aan.")
    assert terras.costs == ("Retributie: € 12 per m² per jaar, volgens het retributiereglement.",)
    assert terras.competent_level == "lokaal" and terras.executing_level == "lokaal"
    assert terras.competent_authorities == ("https://data.vlaanderen.be/id/organisatie/OVO002949",)
    assert terras.nis_codes == ("41002",)
    assert terras.web_page.url == "https://www.example.be/aalst/terrasvergunning"
    assert terras.product_type == "Toelating" and terras.start.startswith("2026-03-01")


@pytest.mark.parametrize(("value", "nis"), [
    ("BE23444021", "44021"), ("http://data.europa.eu/nuts/code/BE23141002", "41002"),
    ("http://vocab.belgif.be/auth/refnis2019/46021", "46021"), ("BE23", None), ("BE2", None),
])
def test_nis_scope(value, nis):
    assert nis_code(value) == nis


def test_dutch_text_prefers_informal_and_strips_html():
    assert dutch({"nl-be-x-formal": "u", "nl-BE-x-informal": "<p>je</p>"}) == "je"
    assert dutch([{"@language": "en", "@value": "x"}]) == ""
    assert html_to_text("<ul><li>een</li><li>twee</li></ul>") == "- een\n- twee"


def test_review_files_are_written_per_municipality_and_product(tmp_path):
    summary = run(tmp_path)
    assert sorted(str(p.relative_to(tmp_path)) for p in summary.written) == [
        TERRAS, "46021/fixture-nachtwinkel-sint-niklaas.yml"]
    assert (summary.outside_scope, summary.without_text, summary.archived) == (1, 1, 1)
    data = read(tmp_path / TERRAS)
    assert data["review_status"] == "pending" and data["topic"] == "terrasvergunning"
    assert data["nis"] == "41002" and data["municipality"] == "Aalst"
    override = data["override"]
    assert override["mode"] == "extend" and override["example"] is False
    assert override["valid_from"] == "2026-03-01"
    assert "12 euro" not in override["answer"] and "terrasvergunning" in override["answer"]
    assert override["sources"] == [{"title": "Stad Aalst (voorbeeld) – Terrasvergunning",
                                    "url": "https://www.example.be/aalst/terrasvergunning",
                                    "checked_on": None}]
    details = data["details"]
    assert details["costs"] == [{"quote": "Retributie: € 12 per m² per jaar, volgens het "
                                          "retributiereglement.",
                                 "source": "https://www.example.be/aalst/terrasvergunning"}]
    assert "053" not in " ".join(details["procedure"]) and details["omitted_sentences"] == 2
    assert read(tmp_path / "46021/fixture-nachtwinkel-sint-niklaas.yml")["topic"] == "nachtwinkel"


def test_reimport_is_idempotent_and_archiving_withdraws(tmp_path):
    run(tmp_path)
    again = run(tmp_path)
    assert again.written == [] and again.unchanged == 2
    gent = tmp_path / "44021" / "7a8b9c0d-fixture-evenement-gent.yml"
    gent.parent.mkdir()
    gent.write_text(yaml.safe_dump({"review_status": "approved", "topic": "evenementenvergunning",
                                    "nis": "44021", "ipdc": {"snapshot": "old"}}))
    assert run(tmp_path).withdrawn == [gent]
    assert read(gent)["review_status"] == "withdrawn"


def test_approval_and_what_the_catalog_serves(tmp_path):
    imports = tmp_path / "imports"
    run(imports)
    topics = ROOT / "content" / "topics"
    before = Catalog.load(topics, imports_dir=imports)
    assert before.get("terrasvergunning").overrides["41002"].origin == "topic"  # pending: unseen
    approve(imports / TERRAS, None, "Sofie (dienst economie)", TODAY, TOPICS)
    data = read(imports / TERRAS)
    assert data["review_status"] == "approved" and data["last_reviewed"] == "2026-12-01"
    assert data["override"]["sources"][0]["checked_on"] == "2026-12-01"
    after = Catalog.load(topics, imports_dir=imports)
    local = after.get("terrasvergunning").answer_for("41002", TODAY)
    assert local.localized and not local.example
    assert "Het terrasreglement van de stad bepaalt" in local.text
    assert local.sources[-1].url == "https://www.example.be/aalst/terrasvergunning"
    reject(imports / TERRAS, "Sofie", TODAY)
    assert Catalog.load(topics, imports_dir=imports).get(
        "terrasvergunning").overrides["41002"].origin == "topic"


def test_approval_refuses_invented_facts_and_missing_topic(tmp_path):
    run(tmp_path)
    path = tmp_path / TERRAS
    data = read(path)
    data["override"]["answer"] = "Het terras kost je 12 euro per vierkante meter per jaar."
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ImportFileError, match="states 'euro'"):
        approve(path, None, "Sofie", TODAY, TOPICS)
    with pytest.raises(ImportFileError, match="--topic"):
        approve(path, "bestaat_niet", "Sofie", TODAY, TOPICS)


def test_approved_import_for_an_unknown_topic_is_a_content_error(tmp_path):
    imports = tmp_path / "imports"
    run(imports)
    approve(imports / TERRAS, None, "Sofie", TODAY, TOPICS)
    data = read(imports / TERRAS)
    data["topic"] = "verdwenen_topic"
    (imports / TERRAS).write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ContentError, match="verdwenen_topic"):
        Catalog.load(ROOT / "content" / "topics", imports_dir=imports)


def test_topic_guess():
    assert guess_topic("Aanvraag evenementenvergunning", TOPICS) == "evenementenvergunning"
    assert guess_topic("Vergunning nachtwinkel", TOPICS) == "nachtwinkel"
    assert guess_topic("Hondenbelasting", TOPICS) is None


def test_cli_import_and_approve(tmp_path, capsys):
    out = tmp_path / "ipdc"
    assert main(["import", "--dir", str(FIXTURES), "--out", str(out), "--today", "2026-12-01"]) == 0
    printed = capsys.readouterr().out
    assert "written for review: 2" in printed and "snapshots read: 7" in printed
    assert main(["approve", str(out / TERRAS), "--by", "Sofie", "--today", "2026-12-01"]) == 0
    assert read(out / TERRAS)["review_status"] == "approved"
    assert main(["approve", str(tmp_path / "missing.yml"), "--by", "Sofie"]) == 1
