"""make content-report on a small fixture set of topics and tenants."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from bot.content_review import add_months
from scripts.content_report import build_report, main

FIXTURES = Path(__file__).parent / "fixtures" / "report"
TODAY = date(2026, 12, 1)


def report(**kwargs) -> str:
    return build_report(FIXTURES / "topics", FIXTURES / "tenants", TODAY, **kwargs)


def section(text: str, title: str) -> str:
    start = text.index(title)
    end = text.find("\n#", start + 1)
    return text[start:end if end > 0 else None]


def test_topics_are_listed_by_age_of_review_never_reviewed_first():
    body = section(report(), "## Topics by age of review")
    assert body.index("| nooit |") < body.index("| oud |") < body.index("| vers |")
    assert "| oud | 2026-04-01 | 244 days | Jan (provincie) |" in body


def test_overdue_topics_follow_each_tenant_interval():
    text = report()
    yearly = section(text, "### Voorbeeldtenant met jaarlijkse review")
    default = section(text, "### Voorbeeldtenant zonder eigen interval")
    assert "12 months, 1 overdue" in yearly and "| nooit |" in yearly and "| oud |" not in yearly
    assert "6 months, 2 overdue" in default and "| oud |" in default and "| vers |" not in default


def test_bare_home_pages_and_answers_without_deep_link():
    text = report()
    bare = section(text, "## Bare home pages")
    assert "| nooit | general answer | https://economie.fgov.be/nl |" in bare
    assert "| nooit | local 41002 (example) | https://www.aalst.be |" in bare
    assert "vlaio.be" not in bare
    no_deep = section(text, "## Answers without a deep link")
    assert "| nooit | general answer |" in no_deep and "| oud |" not in no_deep


def test_unchecked_sources_are_listed_once():
    body = section(report(), "## Unchecked sources")
    assert body.count("https://www.vlaio.be/nl/niet/nagekeken") == 1
    assert "https://www.vlaio.be/nl/een/diepe/pagina" not in body


def test_pending_imports_and_thumbs_down(tmp_path):
    db = tmp_path / "feedback.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE feedback (conversation_id TEXT, message_id TEXT, vote TEXT, "
                     "topic TEXT, municipality TEXT, tenant TEXT, at TEXT)")
        conn.executemany("INSERT INTO feedback VALUES ('c', ?, ?, ?, NULL, NULL, 'x')",
                         [("1", "down", "oud"), ("2", "down", "oud"), ("3", "up", "oud"),
                          ("4", "up", "vers")])
    text = report(imports_dir=FIXTURES / "imports" / "ipdc", feedback_db=db)
    assert "41002/terras.yml" in section(text, "## Product catalogue imports")
    thumbs = section(text, "## Thumbs down")
    assert "| oud | 2 | 1 |" in thumbs and "vers" not in thumbs


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 1, 15), 12) == date(2027, 1, 15)


def test_cli_writes_the_report(tmp_path):
    out = tmp_path / "report.md"
    assert main(["--topics", str(FIXTURES / "topics"), "--tenants", str(FIXTURES / "tenants"),
                 "--imports", str(tmp_path), "--feedback", str(tmp_path / "none.sqlite3"),
                 "--today", "2026-12-01", "--out", str(out)]) == 0
    assert out.read_text().startswith("# Content report (2026-12-01)")


def test_real_content_loads_in_the_report(root):
    text = build_report(root / "content" / "topics", root / "content" / "tenants", TODAY)
    assert "## Overdue per tenant" in text and "oost-vlaanderen" in text


def test_questions_no_topic_answered_come_from_the_insights_store(tmp_path):
    import sqlite3

    from bot.storage.migrate import upgrade
    from bot.storage.roles import INSIGHTS

    db = tmp_path / "insights.sqlite3"
    upgrade(f"sqlite:///{db}", INSIGHTS)  # the schema the web app's insights store has
    with sqlite3.connect(db) as conn:
        rows = [("t1", "Aalst", 1, "mag ik een [phone] bellen voor een foodtruckfestival"),
                ("t2", "Aalst", 1, None), ("t3", "Gent", 0, None)]
        for key, municipality, fell_back, text in rows:
            conn.execute(
                "INSERT INTO insights_turns (turn_key, conversation, at, day, municipality, "
                "fell_back, clarified, to_officer, text) VALUES (?, 'c', 1.0, '2026-12-01', ?, "
                "?, 0, 0, ?)", (key, municipality, fell_back, text))
    found = report(insights_db=db).split("## Questions no topic answered (insights)")[1]
    assert "| Aalst | 2 |" in found and "Gent" not in found
    assert "foodtruckfestival" in found
    assert "## Questions no topic answered" in report(insights_db=tmp_path / "missing.sqlite3")
