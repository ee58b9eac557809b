"""The engine, SQLite pragmas, and migrations to head on open."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session, SQLModel, create_engine

from .. import paths

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 30_000

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


class StoreError(Exception):
    """The database cannot be opened or migrated; the message says what to do."""


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable against a crashed or killed process in WAL mode (not against power loss)
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)

        # Take the write lock at BEGIN, so two writers queue on busy_timeout instead of one
        # failing with "database is locked" when it upgrades a read transaction.
        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:
            read_only = conn.get_execution_options().get("tutor_read_only", False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        event.listen(engine, "connect", lambda c, r: setattr(c, "isolation_level", None))
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    cfg = alembic_config(str(engine.url))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    """The schema version the database is at (None for an empty one), read with one query: opening the
    store must not pay for importing Alembic when no migration is due."""
    with engine.connect() as conn:
        try:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        except (OperationalError, ProgrammingError):  # no alembic_version table: a database never migrated
            return None


_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*['\"]?([\w.-]+|None)['\"]?\s*$", re.MULTILINE)


def head_revision() -> str:
    """The newest migration's revision id, read from the version files' ``revision``/``down_revision``
    lines (a test checks it agrees with Alembic's own ScriptDirectory)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        fields = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        if "revision" not in fields:
            continue
        revisions.add(fields["revision"])
        if fields.get("down_revision", "None") != "None":
            parents.add(fields["down_revision"])
    heads = revisions - parents
    if len(heads) != 1:
        raise StoreError(f"migrations in {MIGRATIONS / 'versions'} must have one head, found {sorted(heads)}")
    return heads.pop()


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: the learner's DB), migrated to head once per process."""
    url = url or paths.db_url()
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = make_engine(url)
            try:
                if current_revision(engine) != head_revision():
                    upgrade(engine)
            except Exception as exc:
                raise StoreError(f"cannot open the progress database at {url}: {exc}") from exc
            _engines[url] = engine
        return engine


@contextmanager
def session(url: str | None = None, *, read_only: bool = False) -> Iterator[Session]:
    """A unit of work: committed on success, rolled back on error.

    Write sessions take SQLite's write lock up front; read-only ones never wait for writers (WAL).
    """
    engine = get_engine(url)
    bind = engine.execution_options(tutor_read_only=True) if read_only else engine
    with Session(bind, expire_on_commit=False) as s, s.begin():
        yield s


Row = TypeVar("Row", bound=SQLModel)


def fetch(s: Session, model: type[Row], key: Any) -> Row:
    """The row with this primary key, or a StoreError that names what is missing (never a bare None)."""
    row = s.get(model, key)
    if row is None:
        raise StoreError(f"there is no {model.__name__} {key!r} in the store")
    return row


def saved_id(row: Any) -> int:
    """The primary key the database gave a row (after it was flushed)."""
    if row.id is None:
        raise StoreError(f"{type(row).__name__} has no id yet: it was never flushed")
    return int(row.id)
