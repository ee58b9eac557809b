"""The class server's own tables (SQLAlchemy Core), migrated by its own Alembic scripts beside this file.

One database can hold several workshops. Tokens are stored only as SHA-256 hex digests. An event is unique per
(attendee, client event id), which is what makes storing it idempotent.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# BIGINT on PostgreSQL; SQLite only auto-increments a column declared INTEGER PRIMARY KEY
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)

workshop = sa.Table(
    "workshop",
    metadata,
    sa.Column("id", sa.String(120), primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("starts", Stamp, nullable=False),
    sa.Column("ends", Stamp, nullable=False),
    sa.Column("code", sa.String(32), nullable=False),  # shown on the projector; dead after `ends`
    sa.Column("instructor_hash", sa.String(64), nullable=False),
    sa.Column("pack_sha256", sa.String(64), nullable=False),
    sa.Column("pack", sa.LargeBinary(), nullable=False),
    sa.Column("created_at", Stamp, nullable=False),
)

attendee = sa.Table(
    "attendee",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("workshop_id", sa.String(120), sa.ForeignKey("workshop.id"), nullable=False, index=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=True, unique=True),  # NULL once the attendee has left
    sa.Column("joined_at", Stamp, nullable=False),
    sa.Column("last_seen", Stamp, nullable=True),
    sa.Column("left_at", Stamp, nullable=True),
)

event = sa.Table(
    "event",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),  # arrival order, for paging and live feeds
    sa.Column("attendee_id", sa.String(32), sa.ForeignKey("attendee.id"), nullable=False),
    sa.Column("event_id", sa.Uuid(), nullable=False),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("at", Stamp, nullable=False),
    sa.Column("received_at", Stamp, nullable=False),
    sa.Column("data", sa.Text(), nullable=False),  # the event as JSON (ASCII-escaped)
    sa.UniqueConstraint("attendee_id", "event_id", name="uq_event_attendee_event"),
    sa.Index("ix_event_attendee_seq", "attendee_id", "seq"),
)

broadcast = sa.Table(
    "broadcast",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("workshop_id", sa.String(120), sa.ForeignKey("workshop.id"), nullable=False, index=True),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("at", Stamp, nullable=False),
)
