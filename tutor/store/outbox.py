"""The attendee's outbox: events for a joined workshop, written in the same transaction as what they describe.

``record`` is called inside the store's own transactions (a grading run, a review log, an exam result), so the
event and the record commit together or not at all: a crash can never keep one without the other. Sending is
``tutor.workshop.client``'s job; here events are only queued, listed and marked acknowledged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import col, select

from .db import fetch, saved_id, session
from .models import WorkshopMembership, WorkshopOutbox

_membership = WorkshopMembership.__table__  # type: ignore[attr-defined]  # SQLModel sets it at class creation
_outbox = WorkshopOutbox.__table__  # type: ignore[attr-defined]


def record(conn: Connection, type: str, **fields: Any) -> str | None:
    """Queue one event in the caller's transaction; nothing when no workshop is joined. Returns its id.

    The per-attendee sequence is taken inside the caller's write transaction (SQLite: BEGIN IMMEDIATE),
    so two processes recording at once cannot take the same number.
    """
    membership = conn.execute(
        sa.select(_membership.c.id).where(_membership.c.left_at.is_(None)).order_by(_membership.c.id.desc()).limit(1)
    ).scalar()
    if membership is None:
        return None
    now = datetime.now(UTC)
    seq = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(_outbox.c.seq), 0) + 1).where(_outbox.c.membership_id == membership)
    ).scalar_one()
    event_id = str(uuid4())
    event = {"id": event_id, "seq": seq, "at": now.isoformat(), "type": type, **fields}
    conn.execute(
        _outbox.insert().values(
            membership_id=membership,
            event_id=event_id,
            seq=seq,
            type=type,
            event=json.dumps(event, ensure_ascii=True),
            created_at=now,
        )
    )
    return event_id


@dataclass(frozen=True)
class Membership:
    id: int
    server_url: str
    workshop_id: str
    title: str
    attendee_id: str
    name: str
    token: str
    pack_sha256: str
    pack_dir: str
    joined_at: datetime
    left_at: datetime | None
    last_sync_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class Pending:
    event_id: str
    seq: int
    event: dict[str, Any]


def _plain(row: WorkshopMembership) -> Membership:
    return Membership(
        saved_id(row),
        row.server_url,
        row.workshop_id,
        row.title,
        row.attendee_id,
        row.name,
        row.token,
        row.pack_sha256,
        row.pack_dir,
        row.joined_at,
        row.left_at,
        row.last_sync_at,
        row.last_error,
    )


def active_membership() -> Membership | None:
    with session(read_only=True) as s:
        row = s.exec(
            select(WorkshopMembership)
            .where(col(WorkshopMembership.left_at).is_(None))
            .order_by(col(WorkshopMembership.id).desc())
        ).first()
        return _plain(row) if row else None


def add_membership(**fields: Any) -> Membership:
    with session() as s:
        if s.exec(select(WorkshopMembership.id).where(col(WorkshopMembership.left_at).is_(None))).first():
            raise ValueError("already in a workshop")
        row = WorkshopMembership(joined_at=datetime.now(UTC), **fields)
        s.add(row)
        s.flush()
        return _plain(row)


def end_membership(membership_id: int) -> None:
    with session() as s:
        row = fetch(s, WorkshopMembership, membership_id)
        row.left_at = datetime.now(UTC)
        s.add(row)


def pending(membership_id: int, limit: int = 100) -> list[Pending]:
    """Unsent, unrejected events in sequence order."""
    with session(read_only=True) as s:
        rows = s.exec(
            select(WorkshopOutbox)
            .where(
                col(WorkshopOutbox.membership_id) == membership_id,
                col(WorkshopOutbox.sent_at).is_(None),
                col(WorkshopOutbox.rejected).is_(None),
            )
            .order_by(col(WorkshopOutbox.seq))
            .limit(limit)
        ).all()
        return [Pending(r.event_id, r.seq, json.loads(r.event)) for r in rows]


def counts(membership_id: int) -> dict[str, int]:
    """{"waiting", "sent", "rejected"} for ``tutor workshop status``."""
    with session(read_only=True) as s:
        rows = (
            s.connection()
            .execute(
                sa.select(
                    sa.func.count().filter(
                        col(WorkshopOutbox.sent_at).is_(None), col(WorkshopOutbox.rejected).is_(None)
                    ),
                    sa.func.count().filter(col(WorkshopOutbox.sent_at).is_not(None)),
                    sa.func.count().filter(col(WorkshopOutbox.rejected).is_not(None)),
                ).where(col(WorkshopOutbox.membership_id) == membership_id)
            )
            .one()
        )
    return {"waiting": rows[0], "sent": rows[1], "rejected": rows[2]}


def mark_sent(membership_id: int, event_ids: list[str]) -> None:
    now = datetime.now(UTC)
    with session() as s:
        s.exec(
            sa.update(WorkshopOutbox)
            .where(
                col(WorkshopOutbox.membership_id) == membership_id,
                col(WorkshopOutbox.event_id).in_(event_ids),
                col(WorkshopOutbox.sent_at).is_(None),
            )
            .values(sent_at=now)
        )
        row = fetch(s, WorkshopMembership, membership_id)
        row.last_sync_at, row.last_error = now, None
        s.add(row)


def mark_rejected(event_id: str, reason: str) -> None:
    with session() as s:
        s.exec(sa.update(WorkshopOutbox).where(col(WorkshopOutbox.event_id) == event_id).values(rejected=reason[:2000]))


def note_sync(membership_id: int, error: str | None) -> None:
    """A sync that had nothing to send (error None) or failed (the reason, for `tutor workshop status`)."""
    with session() as s:
        row = fetch(s, WorkshopMembership, membership_id)
        if error is None:
            row.last_sync_at, row.last_error = datetime.now(UTC), None
        else:
            row.last_error = error[:500]
        s.add(row)
