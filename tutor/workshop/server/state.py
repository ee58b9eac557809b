"""What every request of one worker shares: settings, engines, rate limits, the live fan-out."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .db import make_engine
from .security import RateLimits
from .settings import ServerSettings
from .tables import workshop


@dataclass(frozen=True)
class WorkshopRow:
    id: str
    title: str
    starts: datetime
    ends: datetime
    code: str
    instructor_hash: str
    pack_sha256: str


class Fanout:
    """Where stored events and broadcasts go live (the dashboard's push, part 2).

    Subscribers of this worker are called after each commit. With several workers on PostgreSQL, a LISTEN/NOTIFY
    relay publishes here what the other workers stored; the routes only ever call ``publish``.
    """

    def __init__(self) -> None:
        self._subscribers: list[Callable[[str, dict[str, Any]], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Callable[[str, dict[str, Any]], None]) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def publish(self, channel: str, payload: dict[str, Any]) -> None:
        for callback in list(self._subscribers):
            callback(channel, payload)


class ServerState:
    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.engine: Engine = make_engine(settings.db_url)
        # on SQLite, reads take no write lock (see tutor.store.db)
        self.reader: Engine = self.engine.execution_options(tutor_read_only=True)
        self.limits = RateLimits(settings.join_limit, settings.token_limit)
        self.fanout = Fanout()
        self._workshop: WorkshopRow | None = None
        self._pack: bytes | None = None

    @property
    def workshop(self) -> WorkshopRow:
        """Read once per worker: `serve` writes the row before any worker starts."""
        if self._workshop is None:
            with self.reader.connect() as conn:
                row = conn.execute(
                    sa.select(
                        workshop.c.id,
                        workshop.c.title,
                        workshop.c.starts,
                        workshop.c.ends,
                        workshop.c.code,
                        workshop.c.instructor_hash,
                        workshop.c.pack_sha256,
                    ).where(workshop.c.id == self.settings.workshop_id)
                ).one()
            self._workshop = WorkshopRow(*row)
        return self._workshop

    def pack(self) -> bytes:
        if self._pack is None:
            with self.reader.connect() as conn:
                self._pack = conn.execute(
                    sa.select(workshop.c.pack).where(workshop.c.id == self.workshop.id)
                ).scalar_one()
        return self._pack
