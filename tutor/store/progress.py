"""Repository functions for lesson progress and settings. They return plain values, never rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from .db import session
from .models import Card, LabAttempt, LessonPosition, SectionRead, Setting


def now() -> datetime:
    return datetime.now(UTC)


# -- settings ------------------------------------------------------------------


def get_setting(key: str, default: Any = None) -> Any:
    with session(read_only=True) as s:
        row = s.get(Setting, key)
        return json.loads(row.value) if row else default


def set_setting(key: str, value: Any) -> None:
    with session() as s:
        s.merge(Setting(key=key, value=json.dumps(value)))


# -- lessons -------------------------------------------------------------------


def mark_read(lesson_id: str, anchor: str) -> None:
    with session() as s:
        if s.get(SectionRead, (lesson_id, anchor)) is None:
            s.add(SectionRead(lesson_id=lesson_id, anchor=anchor, read_at=now()))
        s.merge(LessonPosition(lesson_id=lesson_id, anchor=anchor, updated_at=now()))


def set_position(lesson_id: str, anchor: str) -> None:
    """Where the learner is in a chapter, without counting the section as read."""
    with session() as s:
        s.merge(LessonPosition(lesson_id=lesson_id, anchor=anchor, updated_at=now()))


def read_sections() -> dict[str, set[str]]:
    """lesson id -> anchors read."""
    out: dict[str, set[str]] = {}
    with session(read_only=True) as s:
        for lesson_id, anchor in s.exec(select(SectionRead.lesson_id, SectionRead.anchor)):
            out.setdefault(lesson_id, set()).add(anchor)
    return out


def position(lesson_id: str) -> str | None:
    with session(read_only=True) as s:
        row = s.get(LessonPosition, lesson_id)
        return row.anchor if row else None


def last_position() -> tuple[str, str] | None:
    """The lesson and section the learner read most recently."""
    with session(read_only=True) as s:
        row = s.exec(select(LessonPosition).order_by(col(LessonPosition.updated_at).desc()).limit(1)).first()
        return (row.lesson_id, row.anchor) if row else None


# -- home ----------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What Home needs from the store in one read."""

    cards_seen: int
    read: dict[str, set[str]]
    last_read: tuple[str, str] | None
    labs_passed: set[str]
    labs_tried: set[str]


def snapshot(at: datetime | None = None) -> Snapshot:
    at = at or now()
    with session(read_only=True) as s:
        seen = s.exec(select(func.count()).select_from(Card).where(Card.retired == False)).one()
        tried = set(s.exec(select(LabAttempt.lab_id).distinct()))
        passed = set(s.exec(select(LabAttempt.lab_id).where(LabAttempt.status == "passed").distinct()))
    return Snapshot(seen, read_sections(), last_position(), passed, tried)
