"""Alembic environment of the insights role (see bot/storage/env_common.py)."""

from bot.storage.env_common import run

run()
