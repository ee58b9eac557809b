"""The wire between attendees and the class server: pydantic models, every field and list bounded.

Unknown fields are rejected, so a client and a server of different versions fail loudly, not silently.
Events carry a client-made UUID and a per-attendee sequence number; the server stores each (attendee, id) once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

API = "/api/v1"
MAX_BATCH = 100  # events per request
MAX_BODY_BYTES = 512 * 1024  # requests bigger than this get 413 before they are parsed
MAX_MESSAGE = 2000


def _storable(text: str) -> str:
    """Text every database and JSON encoder accepts: no NUL (PostgreSQL refuses it), no lone surrogates."""
    if "\x00" in text:
        raise ValueError("text may not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return text


def _plausible(at: datetime) -> datetime:
    """Event times between 2000 and 2100: a clock far off is a bug, and extreme years overflow databases."""
    if not 2000 <= at.year <= 2100 or at.utcoffset() is None:
        raise ValueError("time must be between 2000 and 2100, with a time zone")
    return at


Name = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[^\x00-\x1f\x7f]+$"), AfterValidator(_storable)]
Text = Annotated[str, Field(max_length=MAX_MESSAGE), AfterValidator(_storable)]
Ident = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Count = Annotated[int, Field(ge=0, le=100_000)]
JoinCode = Annotated[str, Field(min_length=4, max_length=32), AfterValidator(_storable)]
Stamp = Annotated[AwareDatetime, AfterValidator(_plausible)]
AttendeeId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# ---------------------------------------------------------------- events


class EventBase(Wire):
    id: UUID
    seq: Annotated[int, Field(ge=1, le=2**53)]
    at: Stamp


class LabStarted(EventBase):
    type: Literal["lab_started"]
    lab: Ident


class CheckResult(Wire):
    id: Ident
    passed: bool
    message: Text = ""


class LabGraded(EventBase):
    """One grading run: what every check said, the score, and the hints used so far."""

    type: Literal["lab_graded"]
    lab: Ident
    checks: list[CheckResult] = Field(max_length=100)
    passed: Count
    total: Count
    score: Annotated[float, Field(ge=0, le=100)]
    hints_used: Count


class LabHint(EventBase):
    type: Literal["lab_hint"]
    lab: Ident
    number: Count


class LabReset(EventBase):
    type: Literal["lab_reset"]
    lab: Ident


class LabSolutionViewed(EventBase):
    type: Literal["lab_solution_viewed"]
    lab: Ident


class ReviewAnswered(EventBase):
    type: Literal["review_answered"]
    kind: Literal["question", "drill"]
    item: Ident
    rating: Annotated[int, Field(ge=1, le=4)]
    duration_ms: Annotated[int, Field(ge=0, le=86_400_000)] | None = None


class DomainScore(Wire):
    domain: Ident
    correct: Count
    total: Count


class ExamFinished(EventBase):
    """A submitted mock exam or practice set, scored overall and by domain."""

    type: Literal["exam_finished"]
    profile: Ident
    mode: Literal["exam", "practice"]
    seed: Annotated[int, Field(ge=-(2**62), le=2**62)]
    correct: Count
    total: Count
    scaled: Annotated[int, Field(ge=0, le=100_000)]
    passed: bool
    domains: list[DomainScore] = Field(max_length=50)


class DrillDone(EventBase):
    type: Literal["drill_done"]
    drill: Ident
    covered: Count
    total: Count
    rating: Annotated[int, Field(ge=1, le=4)]
    duration_s: Annotated[float, Field(ge=0, le=86_400)]


Event = Annotated[
    LabStarted | LabGraded | LabHint | LabReset | LabSolutionViewed | ReviewAnswered | ExamFinished | DrillDone,
    Field(discriminator="type"),
]
EVENT_TYPES = (
    "lab_started",
    "lab_graded",
    "lab_hint",
    "lab_reset",
    "lab_solution_viewed",
    "review_answered",
    "exam_finished",
    "drill_done",
)


class EventBatch(Wire):
    events: list[Event] = Field(min_length=1, max_length=MAX_BATCH)


class Ack(Wire):
    """The ids the server holds now: stored by this request or by an earlier one."""

    acked: list[UUID]
    stored: int  # how many of them this request stored for the first time


# ---------------------------------------------------------------- joining and the workshop


class JoinRequest(Wire):
    code: JoinCode
    name: Name


class WorkshopInfo(Wire):
    id: str
    title: str
    starts: datetime
    ends: datetime
    pack_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Joined(Wire):
    attendee_id: str
    token: str
    workshop: WorkshopInfo


class Me(Wire):
    attendee_id: str
    name: str
    events: int
    last_seq: int


class Broadcast(Wire):
    id: int
    message: str
    at: datetime


class BroadcastRequest(Wire):
    message: Annotated[str, Field(min_length=1, max_length=MAX_MESSAGE), AfterValidator(_storable)]


class AttendeeSummary(Wire):
    attendee_id: str
    name: str
    joined_at: datetime
    last_seen: datetime | None
    events: int


class StoredEvent(Wire):
    attendee_id: str
    id: UUID
    seq: int
    type: str
    at: datetime
    received_at: datetime
    data: dict


class EventPage(Wire):
    events: list[StoredEvent]
    next_after: int | None  # pass as ?after= for the next page; None when there is no more


class Problem(Wire):
    """Every 4xx body: what was wrong, in words."""

    detail: str | list
