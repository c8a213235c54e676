"""The `env.py` of every role's Alembic tree: migrate the connection `bot.storage.migrate`
hands in (inside its locked transaction), recording versions in the role's own table."""

from __future__ import annotations

from alembic import context


def run() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through bot.storage.migrate (make migrate)")
    context.configure(connection=connection,
                      version_table=config.attributes["version_table"],
                      transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()
