"""One storage layer for the project's own tables (SQLAlchemy 1.4 Core + Alembic).

* `urls`: `sqlite:///path` / `postgresql://…` URLs, mapped to the async (aiosqlite, asyncpg) and
  sync (pysqlite, psycopg2) dialects.
* `roles`: every database role (hand-off/web app, dossier outbox, …) with its own Alembic tree
  under `migrations/<role>/` and its own version table, so separate SQLite files stay separate
  and the roles can share one PostgreSQL database.
* `migrate`: `upgrade(url, role)`, run on service start and by `make migrate`
  (`python -m bot.storage migrate`); serialised by a PostgreSQL advisory lock or SQLite's write
  lock, so concurrent replicas are safe.
* `database`: `Database`, the async engine of one role (SQLite files 0600, WAL, foreign keys),
  migrated on first use.
"""
