"""`python -m bot.dossiers serve --port 8100 [--host 127.0.0.1] [--dev]`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import AsyncIterator

from aiohttp import web

from bot.catalog import ContentError
from bot.deployment import content_dir
from bot.dossiers.requested_documents import load_requested_documents
from bot.dossiers.service.app import create_dossier_app
from bot.dossiers.service.config import ConfigError, ServiceConfig, config_from_env
from bot.dossiers.service.mail_texts import load_mail_texts
from bot.dossiers.service.mailer import (
    MailConfigError,
    default_mail_dir,
    mail_settings_from_env,
    make_mailer,
)
from bot.dossiers.service.storage import storage_from_url
from bot.dossiers.service.webhooks import WebhookDirectory
from bot.privacy import install_pii_filter

DEFAULT_PORT = 8100


def _print_generated(config: ServiceConfig) -> None:
    print("Development mode: random secrets for this run only.")
    if "DOSSIER_SERVICE_TOKEN" in config.generated:
        print(f"  DOSSIER_SERVICE_TOKEN={config.service_token}")
    if "DOSSIER_OFFICER_TOKENS" in config.generated:
        print(f"  DOSSIER_OFFICER_TOKENS='{json.dumps(dict(config.officer_tokens))}'")
    sys.stdout.flush()


def serve(host: str, port: int, dev: bool) -> int:
    env = os.environ  # the one read of the dossier service's environment
    try:
        config = config_from_env(env, dev=dev)
    except ConfigError as exc:
        print(f"dossier service not started: {exc}", file=sys.stderr)
        return 2
    if config.generated:
        _print_generated(config)
    try:
        mail = mail_settings_from_env(env, default_mail_dir(config.db_url))
    except MailConfigError as exc:
        print(f"dossier service not started: {exc}", file=sys.stderr)
        return 2
    try:
        requested = load_requested_documents(content_dir(env) / "requested_documents.yml")
    except ContentError as exc:
        print(f"dossier service not started: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install_pii_filter()
    storage = storage_from_url(config.db_url)
    app = create_dossier_app(storage, config.officer_tokens, service_token=config.service_token,
                             reference_prefix=config.reference_prefix,
                             requested_documents=requested,
                             lookup_limit=config.lookup_limit,
                             shared_state=config.shared_state,
                             purge_interval_seconds=config.purge_interval_seconds,
                             mail_texts=load_mail_texts(sender_domain=mail.sender_domain),
                             mailer=make_mailer(mail), deliver_webhooks=True,
                             webhooks=WebhookDirectory(content_dir(env), env=env))
    where = f"SMTP {mail.host}:{mail.port}" if mail.host else f"files in {mail.directory}"
    print(f"Owner e-mails: {where}", flush=True)

    async def close_storage(_: web.Application) -> AsyncIterator[None]:
        yield
        await storage.close()

    app.cleanup_ctx.insert(0, close_storage)
    web.run_app(app, host=host, port=port, print=lambda line: print(line, flush=True))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.dossiers")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="run the dossier service")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve_cmd.add_argument("--dev", action="store_true",
                           help="generate random tokens when they are not set (prints them)")
    args = parser.parse_args(argv)
    return serve(args.host, args.port, args.dev)


if __name__ == "__main__":
    sys.exit(main())
