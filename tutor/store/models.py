"""SQLModel tables for the learner's progress. Content is referenced by stable string ids.

Timestamps are timezone-aware UTC datetimes (SQLModel stores them as UTC).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class Setting(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str  # JSON


class SectionRead(SQLModel, table=True):
    __tablename__ = "section_read"
    lesson_id: str = Field(primary_key=True)
    anchor: str = Field(primary_key=True)
    read_at: datetime


class LessonPosition(SQLModel, table=True):
    __tablename__ = "lesson_position"
    lesson_id: str = Field(primary_key=True)
    anchor: str
    updated_at: datetime


class Card(SQLModel, table=True):
    """One schedulable item (a question or a drill). ``id`` is the fsrs card_id."""

    __table_args__ = (
        UniqueConstraint("kind", "item_id"),
        # The review queue is a range scan over this partial index: due cards in due order.
        Index("ix_card_queue", "due", sqlite_where=text("retired = 0"), postgresql_where=text("retired = false")),
        # covering index for the statistics' card counts (state, maturity) without reading the table
        Index("ix_card_state", "state", "retired", "stability"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = "question"  # question | drill
    item_id: str
    state: int  # fsrs.State
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime
    last_review: datetime | None = None
    lapses: int = 0
    retired: bool = False  # its content was removed; history is kept
    created_at: datetime


class ReviewLog(SQLModel, table=True):
    __tablename__ = "review_log"
    __table_args__ = (Index("ix_review_log_card_time", "card_id", "reviewed_at"),)
    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(foreign_key="card.id")
    rating: int  # fsrs.Rating: 1 Again, 2 Hard, 3 Good, 4 Easy
    reviewed_at: datetime = Field(index=True)
    duration_ms: int | None = None
    state_before: int
    elapsed_days: float | None = None  # since the previous review; None for the first
    interval_days: float | None = None  # the interval the review scheduled
    source: str = "review"  # review | exam | lab | drill
    # the card as it was before this review (JSON), so undo restores it exactly; None: the review created it
    card_before: str | None = None
    study_day: str | None = None  # the learner's local study day (YYYY-MM-DD) the review counted in
    counted: int | None = None  # true retention bucket: None not counted, 0 young, 1 mature


class ReviewDay(SQLModel, table=True):
    """Per study day review totals, kept with each answer so statistics never scan the whole log.

    Derived data: ``tutor.srs.stats.rebuild_daily`` recomputes it from review_log.
    """

    __tablename__ = "review_day"
    day: str = Field(primary_key=True)  # YYYY-MM-DD, local, starting at the day boundary hour
    reviews: int = 0
    new_cards: int = 0
    young_pass: int = 0
    young_total: int = 0
    mature_pass: int = 0
    mature_total: int = 0
    duration_ms: int = 0


class LabAttempt(SQLModel, table=True):
    __tablename__ = "lab_attempt"
    id: int | None = Field(default=None, primary_key=True)
    lab_id: str = Field(index=True)
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "active"  # active | passed | stopped
    hints_used: int = 0
    resets: int = 0
    solution_viewed: bool = False
    checks_passed: int = 0
    checks_total: int = 0
    score: float = 0


class LabCheckResult(SQLModel, table=True):
    __tablename__ = "lab_check_result"
    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="lab_attempt.id", index=True)
    run: int  # the n-th grading of this attempt
    check_id: str
    passed: bool
    message: str
    checked_at: datetime


class ExamAttempt(SQLModel, table=True):
    __tablename__ = "exam_attempt"
    id: int | None = Field(default=None, primary_key=True)
    profile_id: str = Field(index=True)
    mode: str = "exam"  # exam | practice
    seed: int
    started_at: datetime
    time_limit_s: int
    elapsed_s: float = 0  # time spent, accounted at each save so a crash costs at most a few seconds
    submitted_at: datetime | None = None
    status: str = "active"  # active | submitted
    correct: int = 0
    total: int = 0
    scaled_score: int | None = None
    passed: bool | None = None


class ExamAnswer(SQLModel, table=True):
    __tablename__ = "exam_answer"
    attempt_id: int = Field(foreign_key="exam_attempt.id", primary_key=True)
    position: int = Field(primary_key=True)
    question_id: str
    response: str | None = None  # JSON
    flagged: bool = False
    correct: bool | None = None
    answered_at: datetime | None = None


class DrillAttempt(SQLModel, table=True):
    __tablename__ = "drill_attempt"
    id: int | None = Field(default=None, primary_key=True)
    drill_id: str = Field(index=True)
    started_at: datetime
    duration_s: float
    answer: str
    detected: str  # JSON list of key point ids found in the answer
    confirmed: str  # JSON list of key point ids the learner confirmed
    rating: int


class WorkshopMembership(SQLModel, table=True):
    """A workshop this learner joined (``tutor workshop join``); at most one has ``left_at`` unset."""

    __tablename__ = "workshop_membership"
    id: int | None = Field(default=None, primary_key=True)
    server_url: str
    workshop_id: str
    title: str
    attendee_id: str
    name: str
    token: str  # the attendee token the server issued; it only reaches this attendee's own data
    pack_sha256: str
    pack_dir: str
    joined_at: datetime
    left_at: datetime | None = None
    last_sync_at: datetime | None = None
    last_error: str | None = None


class WorkshopOutbox(SQLModel, table=True):
    """Events for the workshop server, written in the same transaction as the record they describe.

    ``sent_at`` is set when the server acknowledged the event; rows are never deleted.
    """

    __tablename__ = "workshop_outbox"
    __table_args__ = (
        UniqueConstraint("membership_id", "seq"),
        Index(
            "ix_workshop_outbox_pending",
            "membership_id",
            "seq",
            sqlite_where=text("sent_at IS NULL"),
            postgresql_where=text("sent_at IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    membership_id: int = Field(foreign_key="workshop_membership.id")
    event_id: str = Field(unique=True)  # a UUID made here; the server stores each (attendee, event id) once
    seq: int
    type: str
    event: str  # the whole event as JSON, as it goes on the wire
    created_at: datetime
    sent_at: datetime | None = None
    rejected: str | None = None  # why the server (or the protocol) refused it; kept, never retried


__all__ = [
    "Card",
    "DrillAttempt",
    "ExamAnswer",
    "ExamAttempt",
    "LabAttempt",
    "LabCheckResult",
    "LessonPosition",
    "ReviewDay",
    "ReviewLog",
    "SectionRead",
    "Setting",
    "WorkshopMembership",
    "WorkshopOutbox",
]
