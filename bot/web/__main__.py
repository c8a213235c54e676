"""Run the web app: python -m bot.web --host 127.0.0.1 --port 8000."""

from __future__ import annotations

import argparse
import logging

from aiohttp import web

from bot.privacy import install_pii_filter
from bot.web.app import create_app
from bot.webcore.config import WebConfig


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install_pii_filter()  # access log lines too: no e-mail, phone or token in our logs
    web.run_app(create_app(WebConfig.from_env()), host=args.host, port=args.port,
                print=None, access_log_format='%a "%r" %s %Tfs')


if __name__ == "__main__":
    main()
