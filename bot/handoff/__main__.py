"""Officer accounts from the command line (there are no default accounts or passwords).

    python -m bot.handoff create-officer --name sofie --counter aalst --counter gent
    echo "$PASSWORD" | python -m bot.handoff create-officer --name sofie --counter aalst \
        --password-stdin
    python -m bot.handoff unlock-officer --name sofie

The database is HANDOFF_DB_URL, else HANDOFF_DB (default var/handoff.sqlite3), or --db.
Counter ids are checked against the tenant file (TENANT, CONTENT_DIR) unless --any-counter is
given."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import re
import sys
from pathlib import Path

from bot.deployment import tenant_file
from bot.handoff.config import default_db_url
from bot.handoff.db import Database
from bot.handoff.officers import LoginPolicy, OfficerExists, OfficerStore
from bot.handoff.passwords import WeakPassword, check_strength, min_length

NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
COUNTER_RE = re.compile(r"[a-z0-9_-]{1,64}")


def known_counters() -> set[str]:
    from bot.counters import load_tenant

    tenant = load_tenant(tenant_file(os.environ))
    return {counter.id for counter in tenant.counters}


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise SystemExit("error: the passwords differ")
    return first


def check_counters(counters: list[str], any_counter: bool) -> None:
    bad = [c for c in counters if not COUNTER_RE.fullmatch(c)]
    if bad:
        raise SystemExit(f"error: invalid counter id(s): {', '.join(bad)}")
    if not any_counter:
        known = known_counters()
        unknown = sorted(set(counters) - known)
        if unknown:
            raise SystemExit(f"error: unknown counter id(s): {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(known))}")


async def create_officer(args: argparse.Namespace) -> int:
    name = args.name.strip().lower()
    if not NAME_RE.fullmatch(name):
        raise SystemExit("error: --name: 2-64 characters a-z, 0-9, '.', '_' or '-'")
    check_counters(args.counter, args.any_counter)
    password = read_password(args.password_stdin)
    try:
        check_strength(password, name, min_length(os.environ))
    except WeakPassword as error:
        raise SystemExit(f"error: {error}") from error
    db = Database(args.db)
    try:
        policy = LoginPolicy(password_min_length=min_length(os.environ))
        officer = await OfficerStore(db, policy).create(name, password, args.counter,
                                                        args.display_name)
    except OfficerExists as error:
        raise SystemExit(f"error: officer {name!r} already exists") from error
    finally:
        await db.close()
    print(f"created officer {officer.name!r} ({officer.display_name}) for counters: "
          f"{', '.join(officer.counters)}")
    return 0


async def unlock_officer(args: argparse.Namespace) -> int:
    db = Database(args.db)
    try:
        done = await OfficerStore(db).unlock(args.name.strip().lower())
    finally:
        await db.close()
    print("unlocked" if done else "no such officer")
    return 0 if done else 1


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m bot.handoff")
    main.add_argument("--db", type=Path, default=None,
                      help="SQLite file (default: HANDOFF_DB_URL, else HANDOFF_DB or var/)")
    commands = main.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-officer", help="create an officer account")
    create.add_argument("--name", required=True, help="log-in name")
    create.add_argument("--display-name", help="name shown to owners (default: --name)")
    create.add_argument("--counter", action="append", required=True,
                        help="counter id; repeat for several counters")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of stdin")
    create.add_argument("--any-counter", action="store_true",
                        help="do not check counter ids against the tenant file")
    unlock = commands.add_parser("unlock-officer", help="clear a lock-out")
    unlock.add_argument("--name", required=True)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.db = args.db or default_db_url(os.environ)
    handler = create_officer if args.command == "create-officer" else unlock_officer
    return asyncio.run(handler(args))


if __name__ == "__main__":
    sys.exit(main())
