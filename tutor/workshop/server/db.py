"""The server's engine and migrations. SQLite (WAL, one worker) or PostgreSQL (any number of workers)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from tutor.store.db import make_engine as _store_engine

MIGRATIONS = Path(__file__).with_name("migrations")


class ServerDbError(Exception):
    """The server's database cannot be opened or migrated; the message says what to do."""


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str) -> Engine:
    """The same SQLite settings as the learner's store (WAL, busy timeout, write lock at BEGIN)."""
    if is_sqlite(url):
        return _store_engine(url)
    from sqlalchemy import create_engine

    # threads of one worker share the pool; 4 workers x 20 stays under PostgreSQL's default 100 connections
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Migrate to head. Run once by `serve` before any worker starts, so workers never race on it."""
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except Exception as exc:
        raise ServerDbError(f"cannot open the workshop database {engine.url!r}: {exc}") from exc
