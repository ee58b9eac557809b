"""Time in the store is UTC; "today" is the learner's local study day, which starts at the day boundary hour."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import overload

STORE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy writes DATETIME on SQLite; string order = time order


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_db(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return at.astimezone(UTC).strftime(STORE_FORMAT)


@overload
def from_db(value: str | datetime) -> datetime: ...
@overload
def from_db(value: None) -> None: ...
def from_db(value: str | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def study_day(at: datetime, boundary_hour: int = 4, tz: tzinfo | None = None) -> date:
    """The local calendar date of the study day ``at`` falls in: before the boundary hour it is still yesterday."""
    local = at.astimezone(tz) if tz else at.astimezone()
    return local.date() - timedelta(days=1) if local.hour < boundary_hour else local.date()


def day_start(day: date, boundary_hour: int = 4, tz: tzinfo | None = None) -> datetime:
    """When study day ``day`` begins, in UTC."""
    naive = datetime.combine(day, time(boundary_hour))
    local = naive.replace(tzinfo=tz) if tz else naive.astimezone()  # astimezone() on naive = system local time
    return local.astimezone(UTC)


def today_bounds(at: datetime, boundary_hour: int = 4, tz: tzinfo | None = None) -> tuple[date, datetime, datetime]:
    """(study day, its start, the next day's start), the bounds in UTC."""
    day = study_day(at, boundary_hour, tz)
    return day, day_start(day, boundary_hour, tz), day_start(day + timedelta(days=1), boundary_hour, tz)
