"""Content report: how current and how well sourced the knowledge topics are.

    python scripts/content_report.py [--topics DIR] [--tenants DIR] [--imports DIR]
                                     [--feedback FILE] [--today YYYY-MM-DD] [--out FILE]

Lists, in Markdown:
  * every topic by age of its last review (never reviewed first, then oldest first);
  * per tenant, the topics whose last review is older than the tenant's
    `review_interval_months` (default 6) or that were never reviewed;
  * sources that are a bare home page (also those of example overrides);
  * answers (general, dated versions, local overrides) without any deep link;
  * sources nobody has checked (checked_on null);
  * imports from the product catalogue waiting for an officer (content/imports/ipdc);
  * topics with thumbs-down votes in the answer feedback, when a feedback database is given;
  * questions no topic answered, from the insights store (fallbacks per municipality and the
    latest masked texts), when an insights database is given.
It only reads; the exit code is 0 unless the content itself cannot be loaded.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.catalog import Catalog, Source, Topic, is_bare_home_page  # noqa: E402
from bot.content_review import (  # noqa: E402
    DEFAULT_INTERVAL_MONTHS,
    age_in_days,
    is_overdue,
)


@dataclass(frozen=True)
class TenantPolicy:
    id: str
    name: str
    interval_months: int


def tenant_policies(directory: Path) -> list[TenantPolicy]:
    policies = []
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        interval = int(data.get("review_interval_months", DEFAULT_INTERVAL_MONTHS))
        policies.append(TenantPolicy(str(data.get("id", path.stem)),
                                     str(data.get("name", path.stem)), interval))
    return policies


def answers_with_sources(topic: Topic) -> Iterable[tuple[str, tuple[Source, ...], bool]]:
    """(label, sources, example) for every answer text a reply can contain."""
    yield "general answer", topic.sources, False
    for version in topic.versions:
        yield f"version from {version.valid_from}", version.sources or topic.sources, False
    for nis, override in sorted(topic.overrides.items()):
        sources = override.sources if override.mode == "replace" and override.sources \
            else (*topic.sources, *override.sources)
        yield f"local {nis}", sources, override.example


def pending_imports(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    pending = []
    for path in sorted(directory.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if data.get("review_status") == "pending":
            pending.append(path)
    return pending


def thumbs_down(feedback_db: Path) -> list[tuple[str, int, int]]:
    """(topic, down, up) from the answer feedback, most thumbs-down first."""
    if not feedback_db.is_file():
        return []
    uri = f"file:{feedback_db}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as db:
        rows = db.execute(
            "SELECT topic, SUM(vote = 'down'), SUM(vote = 'up') FROM feedback "
            "WHERE topic IS NOT NULL GROUP BY topic HAVING SUM(vote = 'down') > 0 "
            "ORDER BY 2 DESC, topic").fetchall()
    return [(str(t), int(d), int(u)) for t, d, u in rows]


def unanswered(insights_db: Path, limit: int = 30) -> tuple[list[tuple[str, int]], list[list[str]]]:
    """What owners asked that no topic answered, from the insights store (bot/insights/):
    fallbacks per municipality, and the latest masked texts (kept only for their retention
    period). Candidates for a new topic or for training data of an existing one."""
    if not insights_db.is_file():
        return [], []
    uri = f"file:{insights_db}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as db:
        try:
            counts = db.execute(
                "SELECT COALESCE(municipality, '(unknown)'), COUNT(*) FROM insights_turns "
                "WHERE fell_back = 1 GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
            texts = db.execute(
                "SELECT day, COALESCE(municipality, '(unknown)'), text FROM insights_turns "
                "WHERE fell_back = 1 AND text IS NOT NULL ORDER BY at DESC LIMIT ?",
                (limit,)).fetchall()
        except sqlite3.OperationalError:  # no insights schema yet
            return [], []
    return ([(str(m), int(n)) for m, n in counts],
            [[str(day), str(m), str(text).replace("|", "/")] for day, m, text in texts])


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    if not rows:
        return ["_none_", ""]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def build_report(topics_dir: Path, tenants_dir: Path, today: date,
                 imports_dir: Path | None = None, feedback_db: Path | None = None,
                 insights_db: Path | None = None) -> str:
    catalog = Catalog.load(topics_dir)
    topics = [t for t in (catalog.get(i) for i in catalog.ids()) if t is not None]
    never = [t for t in topics if not t.last_reviewed]
    dated = sorted((t for t in topics if t.last_reviewed), key=lambda t: str(t.last_reviewed))
    out = [f"# Content report ({today.isoformat()})", "",
           f"{len(topics)} topics; {len(topics) - len(never)} reviewed, {len(never)} never "
           "reviewed.", ""]

    out += ["## Topics by age of review", ""]
    rows = []
    for topic in [*never, *dated]:
        age = age_in_days(topic, today)
        rows.append([topic.id, topic.last_reviewed or "never reviewed",
                     "—" if age is None else f"{age} days", topic.reviewed_by or "—"])
    out += table(["topic", "last reviewed", "age", "reviewed by"], rows)

    out += ["## Overdue per tenant", ""]
    for policy in tenant_policies(tenants_dir):
        overdue = [t for t in topics if is_overdue(t, today, policy.interval_months)]
        out += [f"### {policy.name} (`{policy.id}`): review interval "
                f"{policy.interval_months} months, {len(overdue)} overdue", ""]
        out += table(["topic", "last reviewed"],
                     [[t.id, t.last_reviewed or "never reviewed"] for t in overdue])

    out += ["## Bare home pages", ""]
    rows = []
    for topic in topics:
        for label, sources, example in answers_with_sources(topic):
            for source in sources:
                if is_bare_home_page(source.url) and (label == "general answer"
                                                      or source not in topic.sources):
                    rows.append([topic.id, label + (" (example)" if example else ""),
                                 source.url])
    out += table(["topic", "answer", "url"], rows)

    out += ["## Answers without a deep link", ""]
    rows = [[t.id, label + (" (example)" if example else "")]
            for t in topics for label, sources, example in answers_with_sources(t)
            if not any(not is_bare_home_page(s.url) for s in sources)]
    out += table(["topic", "answer"], rows)

    out += ["## Unchecked sources", ""]
    rows = []
    for topic in topics:
        seen = set()
        for _label, sources, _example in answers_with_sources(topic):
            for source in sources:
                if not source.checked_on and source.url not in seen:
                    seen.add(source.url)
                    rows.append([topic.id, source.title, source.url])
    out += table(["topic", "title", "url"], rows)

    if imports_dir is not None:
        pending = pending_imports(imports_dir)
        out += ["## Product catalogue imports waiting for an officer", ""]
        out += table(["file"], [[str(p.relative_to(imports_dir))] for p in pending])

    if feedback_db is not None:
        out += ["## Thumbs down in the answer feedback", ""]
        out += table(["topic", "down", "up"],
                     [[t, str(d), str(u)] for t, d, u in thumbs_down(feedback_db)])
    if insights_db is not None:
        counts, texts = unanswered(insights_db)
        out += ["## Questions no topic answered (insights)", ""]
        out += table(["municipality", "fallbacks"], [[m, str(n)] for m, n in counts])
        out += table(["day", "municipality", "masked text"], texts)
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=Path, default=ROOT / "content" / "topics")
    parser.add_argument("--tenants", type=Path, default=ROOT / "content" / "tenants")
    parser.add_argument("--imports", type=Path, default=ROOT / "content" / "imports" / "ipdc")
    parser.add_argument("--feedback", type=Path, default=ROOT / "var" / "feedback.sqlite3")
    parser.add_argument("--insights", type=Path, default=ROOT / "var" / "insights.sqlite3")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--out", type=Path, help="write the report here instead of stdout")
    args = parser.parse_args(argv)
    report = build_report(args.topics, args.tenants, args.today, args.imports, args.feedback,
                          args.insights)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
