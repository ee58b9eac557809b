"""`tutor workshop serve`: check the pack, migrate the database, write the workshop row, then run uvicorn.

Everything a worker needs is in the database before the first worker starts, so a restart (or a second
machine on the same PostgreSQL) serves the same workshop: the same code, tokens and events.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import sqlalchemy as sa

from tutor.workshop.pack import WorkshopError, bundle, check_pack, sha256

from .db import ServerDbError, is_sqlite, make_engine, upgrade
from .security import new_join_code, new_token, same_hash, token_hash
from .tables import workshop


@dataclass(frozen=True)
class Prepared:
    workshop_id: str
    code: str
    token: str
    token_file: Path


def default_db_url(home: Path, workshop_id: str) -> str:
    return f"sqlite:///{home / 'workshop-server' / f'{workshop_id}.db'}"


def default_token_file(home: Path, workshop_id: str) -> Path:
    return home / "workshop-server" / f"{workshop_id}.token"


def write_private(path: Path, text: str) -> None:
    """Create or replace ``path`` readable and writable by its owner only (0600) from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def prepare(pack_dir: Path, db_url: str, token_file: Path) -> Prepared:
    """Validate and store the pack; keep the join code; reuse the instructor token in ``token_file`` if it is
    still the one the database knows, otherwise issue a new one (and write it there)."""
    check = check_pack(pack_dir)
    if not check.ok:
        lines = "\n".join(f"  {p}" for p in check.problems)
        raise WorkshopError(f"the pack has problems; fix them first (tutor workshop validate {pack_dir}):\n{lines}")
    pack = check.pack
    assert pack is not None
    data = bundle(check.pack_dir, pack)
    if is_sqlite(db_url):
        Path(db_url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            row = conn.execute(
                sa.select(workshop.c.code, workshop.c.instructor_hash).where(workshop.c.id == pack.id)
            ).first()
            token = _known_token(token_file, row.instructor_hash if row else None)
            fresh = token is None
            token = token or new_token()
            values = {
                "title": pack.title,
                "starts": pack.starts,
                "ends": pack.ends,
                "pack_sha256": sha256(data),
                "pack": data,
                "instructor_hash": token_hash(token),
            }
            if row is None:
                code = new_join_code()
                conn.execute(workshop.insert().values(id=pack.id, code=code, created_at=datetime.now(UTC), **values))
            else:
                code = row.code
                conn.execute(workshop.update().where(workshop.c.id == pack.id).values(**values))
    finally:
        engine.dispose()
    if fresh:
        write_private(token_file, token + "\n")
    return Prepared(pack.id, code, token, token_file)


def _known_token(token_file: Path, stored_hash: str | None) -> str | None:
    if stored_hash is None:
        return None
    try:
        token = token_file.read_text().strip()
    except OSError:
        return None
    return token if token and same_hash(token_hash(token), stored_hash) else None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _lan_address() -> str:
    """The address others on the network reach this machine at (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def join_url(host: str, port: int, tls: bool) -> str:
    shown = _lan_address() if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"{'https' if tls else 'http'}://{shown}:{port}"


def serve(
    pack_dir: Path,
    *,
    db_url: str,
    token_file: Path,
    host: str,
    port: int,
    workers: int,
    as_json: bool,
    ssl_certfile: Path | None,
    ssl_keyfile: Path | None,
    join_limit: str,
    token_limit: str,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> None:
    if workers < 1:
        raise WorkshopError("--workers must be 1 or more")
    if workers > 1 and is_sqlite(db_url):
        raise WorkshopError(
            "several workers need PostgreSQL (SQLite allows one writer process): "
            "add --db postgresql+psycopg://USER@HOST/DB, or use --workers 1"
        )
    if bool(ssl_certfile) != bool(ssl_keyfile):
        raise WorkshopError("TLS needs both --ssl-certfile and --ssl-keyfile")
    tls = ssl_certfile is not None
    try:
        prepared = prepare(pack_dir, db_url, token_file)
    except ServerDbError as exc:
        raise WorkshopError(str(exc)) from exc
    url = join_url(host, port, tls)
    if as_json:
        out.write(
            json.dumps(
                {
                    "url": url,
                    "code": prepared.code,
                    "token_file": str(prepared.token_file),
                    "workshop": prepared.workshop_id,
                }
            )
            + "\n"
        )
    else:
        out.write(
            f"workshop      {prepared.workshop_id}\n"
            f"join URL      {url}\n"
            f"join code     {prepared.code}\n"
            f"attendees     tutor workshop join {url} {prepared.code} --name 'Your Name'\n"
            f"instructor    token {prepared.token}\n"
            f"              (also in {prepared.token_file}, readable only by you)\n"
            f"database      {sa.engine.make_url(db_url).render_as_string(hide_password=True)}\n"
        )
    out.flush()
    if not is_loopback(host) and not tls:
        err.write(
            f"warning: serving on {host} over plain HTTP: tokens and events cross the room's network "
            "unencrypted. Add --ssl-certfile and --ssl-keyfile for HTTPS.\n"
        )
        err.flush()
    os.environ.update(
        {
            "TUTOR_WORKSHOP_DB_URL": db_url,
            "TUTOR_WORKSHOP_WORKSHOP_ID": prepared.workshop_id,
            "TUTOR_WORKSHOP_JOIN_LIMIT": join_limit,
            "TUTOR_WORKSHOP_TOKEN_LIMIT": token_limit,
        }
    )
    import uvicorn

    uvicorn.run(
        "tutor.workshop.server.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
        ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )
