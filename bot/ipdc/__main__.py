"""Command line of the product catalogue import (see docs/ipdc-import.md).

    python -m bot.ipdc import [--url URL | --dir DIR [--first FILE]] [--out DIR]
    python -m bot.ipdc approve FILE --topic TOPIC_ID --by NAME
    python -m bot.ipdc reject FILE --by NAME
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from datetime import date
from pathlib import Path

from bot.ipdc.mapping import latest_versions, product_from_snapshot
from bot.ipdc.stream import (
    FIRST_PAGE,
    DirectorySource,
    PageSource,
    StreamError,
    UrlSource,
    iterate,
)
from bot.ipdc.writer import ImportFileError, approve, reject, write_imports
from bot.paths import DEFAULT_CONTENT_DIR


def municipalities(reference: Path) -> dict[str, str]:
    with (reference / "municipalities.csv").open(encoding="utf-8") as fh:
        return {row["nis"]: row["name"] for row in csv.DictReader(fh)}


def topic_titles(topics_dir: Path) -> dict[str, str]:
    from bot.catalog import Catalog

    catalog = Catalog.load(topics_dir)
    return {t: catalog.get(t).title for t in catalog.ids()}  # type: ignore[union-attr]


def run_import(args: argparse.Namespace) -> int:
    source: PageSource = DirectorySource(args.dir, args.first) if args.dir else UrlSource(
        args.url, os.environ.get("IPDC_API_KEY") or None)
    snapshots = []
    try:
        for _ref, member in iterate(source):
            product = product_from_snapshot(member)
            if product is not None:
                snapshots.append(product)
    except StreamError as error:
        print(f"import-ipdc: {error}", file=sys.stderr)
        return 1
    summary = write_imports(latest_versions(snapshots), args.out, municipalities(args.reference),
                            topic_titles(args.topics), args.today, snapshots=len(snapshots))
    for line in summary.lines():
        print(line)
    for path in summary.written:
        print(f"  pending review: {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.ipdc", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="page through an instantiesnapshot stream")
    where = imp.add_mutually_exclusive_group()
    where.add_argument("--url", default=FIRST_PAGE,
                       help="first page of the stream (API key from IPDC_API_KEY)")
    where.add_argument("--dir", type=Path, help="pages saved as JSON files (page-<N>.json)")
    imp.add_argument("--first", help="file name of the first page in --dir")
    imp.add_argument("--out", type=Path, default=DEFAULT_CONTENT_DIR / "imports" / "ipdc")
    imp.add_argument("--topics", type=Path, default=DEFAULT_CONTENT_DIR / "topics")
    imp.add_argument("--reference", type=Path, default=DEFAULT_CONTENT_DIR / "reference")
    imp.add_argument("--today", type=date.fromisoformat, default=date.today())
    ok = sub.add_parser("approve", help="approve an imported product after checking it")
    ok.add_argument("file", type=Path)
    ok.add_argument("--topic", help="our topic id (default: the guessed one in the file)")
    ok.add_argument("--by", required=True, help="the officer's name")
    ok.add_argument("--topics", type=Path, default=DEFAULT_CONTENT_DIR / "topics")
    ok.add_argument("--today", type=date.fromisoformat, default=date.today())
    no = sub.add_parser("reject", help="keep an imported product out of the answers")
    no.add_argument("file", type=Path)
    no.add_argument("--by", required=True)
    no.add_argument("--today", type=date.fromisoformat, default=date.today())
    args = parser.parse_args(argv)
    try:
        if args.command == "import":
            return run_import(args)
        if args.command == "approve":
            approve(args.file, args.topic, args.by, args.today, topic_titles(args.topics))
            print(f"approved: {args.file}")
            return 0
        reject(args.file, args.by, args.today)
        print(f"rejected: {args.file}")
        return 0
    except ImportFileError as error:
        print(f"import-ipdc: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
