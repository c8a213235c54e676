"""Database URLs: what the settings hold (`sqlite:///path` or `postgresql://user@host/db`) and
the dialect+driver strings SQLAlchemy needs for the async engines and the sync migrator."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

SQLITE = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


class UnsupportedUrl(ValueError):
    """Neither a `sqlite:///` nor a `postgresql://` URL."""


def sqlite_url(path: Path) -> str:
    return f"{SQLITE}{path}"


def location_url(location: Path | str) -> str:
    """A path (the documented `*_DB` variables) or a URL, as a URL."""
    if isinstance(location, Path):
        return sqlite_url(location)
    if location.startswith(SQLITE) or is_postgres(location):
        return location
    if "://" in location:
        raise UnsupportedUrl(location.split("://", 1)[0])
    return sqlite_url(Path(location))


def is_postgres(url: str) -> bool:
    return url.startswith(POSTGRES_PREFIXES)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL."""
    if url.startswith(SQLITE):
        return Path(url[len(SQLITE):])
    if is_postgres(url):
        return None
    raise UnsupportedUrl(url.split("://", 1)[0])


def _rest(url: str) -> str:
    for prefix in POSTGRES_PREFIXES:
        if url.startswith(prefix):
            return url[len(prefix):]
    raise UnsupportedUrl(url.split("://", 1)[0])


def async_url(url: str) -> str:
    path = sqlite_path(url)
    if path is not None:
        return f"sqlite+aiosqlite:///{path}"
    return f"postgresql+asyncpg://{_rest(url)}"


def sync_url(url: str) -> str:
    path = sqlite_path(url)
    if path is not None:
        return f"sqlite+pysqlite:///{path}"
    return f"postgresql+psycopg2://{_rest(url)}"


def postgres_url(env: Mapping[str, str]) -> str:
    """The machine's PostgreSQL from `POSTGRES_*` (the scheme of the tracker store in
    endpoints.prod.yml and of the insights store): what the production profile uses for our own
    tables."""
    user = quote(env.get("POSTGRES_USER", "postgres"), safe="")
    password = env.get("POSTGRES_PASSWORD", "")
    auth = f"{user}:{quote(password, safe='')}" if password else user
    return (f"postgresql://{auth}@{env.get('POSTGRES_HOST', '127.0.0.1')}:"
            f"{env.get('POSTGRES_PORT', '5432')}/{env.get('POSTGRES_DB', 'postgres')}")
