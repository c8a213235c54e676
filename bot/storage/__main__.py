"""`python -m bot.storage migrate [ROLE ...]` (`make migrate`): bring every role's database (or
the named ones) to the newest migration, with the URLs the services themselves use (their
settings modules). `--url` migrates one role's database at another URL."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from bot.storage.migrate import current, upgrade
from bot.storage.roles import ROLES
from bot.storage.urls import is_postgres


def _handoff_url() -> str:
    from bot.handoff.config import default_db_url

    return default_db_url(os.environ)


def _outbox_url() -> str:
    from actions.settings import ActionSettings  # the action server's settings (composition)

    return ActionSettings.from_env(os.environ).outbox_url


def _feedback_url() -> str:
    from bot.feedback import feedback_location  # as the web app and the purge read it
    from bot.storage.urls import location_url

    return location_url(feedback_location(os.environ))


def _dossiers_url() -> str:
    from bot.retention import Targets  # DOSSIER_DB_URL, as the dossier service reads it

    return Targets.from_env(os.environ).dossier_db_url or ""


def _insights_url() -> str:
    from bot.insights.config import InsightsConfig  # INSIGHTS_DB_URL, as the web app reads it

    return InsightsConfig.from_env(os.environ).db_url


URLS: dict[str, Callable[[], str]] = {"handoff": _handoff_url, "outbox": _outbox_url,
                                      "feedback": _feedback_url, "dossiers": _dossiers_url,
                                      "insights": _insights_url}


def _shown(url: str) -> str:
    """The URL without its password."""
    if is_postgres(url) and "@" in url:
        scheme, rest = url.split("://", 1)
        auth, host = rest.rsplit("@", 1)
        return f"{scheme}://{auth.split(':', 1)[0]}@{host}"
    return url


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.storage")
    commands = parser.add_subparsers(dest="command", required=True)
    migrate = commands.add_parser("migrate", help="apply the missing migrations")
    migrate.add_argument("roles", nargs="*", metavar="ROLE",
                         help=f"default: all ({', '.join(ROLES)})")
    migrate.add_argument("--url", help="database URL (with exactly one ROLE)")
    args = parser.parse_args(argv)
    names = list(args.roles) or list(ROLES)
    unknown = [name for name in names if name not in ROLES]
    if unknown:
        parser.error(f"unknown role {unknown[0]!r} (roles: {', '.join(ROLES)})")
    if args.url and len(names) != 1:
        parser.error("--url needs exactly one ROLE")
    for name in names:
        url = args.url or URLS[name]()
        upgrade(url, ROLES[name])
        print(f"{name}: {current(url, ROLES[name])} ({_shown(url)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
