"""Which agenda items the learner has done, read from their own records (nothing here talks to the server)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import select

from tutor.store.db import session
from tutor.store.models import Card, DrillAttempt, ExamAttempt, LabAttempt, SectionRead

from .pack import DrillsItem, ExamItem, LabItem, LessonItem, Pack, QuestionsItem, item_key, item_title, question_ids


@dataclass(frozen=True)
class AgendaEntry:
    key: str
    title: str
    done: bool
    due: datetime | None = None


def agenda_progress(pack: Pack, catalog: Any = None) -> list[AgendaEntry]:
    if catalog is None:
        from tutor.content import load_catalog

        catalog = load_catalog()
    with session(read_only=True) as s:
        read = {(r.lesson_id, r.anchor) for r in s.exec(select(SectionRead))}
        passed = {r for r in s.exec(select(LabAttempt.lab_id).where(LabAttempt.status == "passed"))}
        answered = set(s.exec(select(Card.item_id).where(Card.kind == "question", Card.last_review != None)))
        exams = {(r.profile_id, r.seed) for r in s.exec(select(ExamAttempt).where(ExamAttempt.status == "submitted"))}
        drilled = set(s.exec(select(DrillAttempt.drill_id)))
    out = []
    for item in pack.agenda:
        if isinstance(item, LessonItem):
            lesson_id, _, anchor = item.lesson.partition("#")
            if anchor:
                done = (lesson_id, anchor) in read
            else:
                lesson = catalog.lessons.get(lesson_id)
                done = bool(lesson) and all((lesson_id, sec.anchor) in read for sec in lesson.sections)
        elif isinstance(item, LabItem):
            done = item.lab in passed
        elif isinstance(item, QuestionsItem):
            ids = question_ids(catalog, item.questions)
            done = bool(ids) and all(q in answered for q in ids)
        elif isinstance(item, ExamItem):
            done = (item.exam.profile, item.exam.seed) in exams
        elif isinstance(item, DrillsItem):
            done = all(d in drilled for d in item.drills)
        else:  # pragma: no cover - the schema admits no other kind
            done = False
        out.append(AgendaEntry(item_key(item), item_title(item, catalog), done, getattr(item, "due", None)))
    return out
