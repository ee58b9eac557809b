"""Exam attempts and their answers. Each answer is committed on its own, so a crash loses nothing shown."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select

from . import outbox
from .db import fetch, saved_id, session
from .models import ExamAnswer, ExamAttempt


@dataclass(frozen=True)
class AnswerRow:
    position: int
    question_id: str
    response: Any
    flagged: bool
    correct: bool | None


@dataclass(frozen=True)
class AttemptRow:
    id: int
    profile_id: str
    mode: str
    seed: int
    started_at: datetime
    time_limit_s: int
    elapsed_s: float
    status: str
    submitted_at: datetime | None
    correct: int
    total: int
    scaled_score: int | None
    passed: bool | None
    answers: list[AnswerRow]


def _plain(row: ExamAttempt, answers: list[ExamAnswer]) -> AttemptRow:
    return AttemptRow(
        saved_id(row),
        row.profile_id,
        row.mode,
        row.seed,
        row.started_at,
        row.time_limit_s,
        row.elapsed_s,
        row.status,
        row.submitted_at,
        row.correct,
        row.total,
        row.scaled_score,
        row.passed,
        [
            AnswerRow(
                a.position,
                a.question_id,
                json.loads(a.response) if a.response is not None else None,
                a.flagged,
                a.correct,
            )
            for a in sorted(answers, key=lambda a: a.position)
        ],
    )


def create_attempt(profile_id: str, mode: str, seed: int, time_limit_s: int, question_ids: list[str]) -> int:
    with session() as s:
        row = ExamAttempt(
            profile_id=profile_id,
            mode=mode,
            seed=seed,
            started_at=datetime.now(UTC),
            time_limit_s=time_limit_s,
            total=len(question_ids),
        )
        s.add(row)
        s.flush()
        for pos, qid in enumerate(question_ids):
            s.add(ExamAnswer(attempt_id=saved_id(row), position=pos, question_id=qid))
        return saved_id(row)


def get_attempt(attempt_id: int) -> AttemptRow | None:
    with session(read_only=True) as s:
        row = s.get(ExamAttempt, attempt_id)
        if row is None:
            return None
        answers = list(s.exec(select(ExamAnswer).where(ExamAnswer.attempt_id == attempt_id)))
        return _plain(row, answers)


def active_attempt() -> int | None:
    """The newest exam still in progress, to resume after a crash or a closed terminal."""
    with session(read_only=True) as s:
        return s.exec(
            select(ExamAttempt.id).where(ExamAttempt.status == "active").order_by(col(ExamAttempt.id).desc())
        ).first()


def save_answer(attempt_id: int, position: int, response: Any, correct: bool, elapsed_s: float) -> None:
    with session() as s:
        ans = fetch(s, ExamAnswer, (attempt_id, position))
        ans.response, ans.correct, ans.answered_at = json.dumps(response), correct, datetime.now(UTC)
        s.add(ans)
        _elapsed(s, attempt_id, elapsed_s)


def set_flag(attempt_id: int, position: int, flagged: bool) -> None:
    with session() as s:
        ans = fetch(s, ExamAnswer, (attempt_id, position))
        ans.flagged = flagged
        s.add(ans)


def save_elapsed(attempt_id: int, elapsed_s: float) -> None:
    with session() as s:
        _elapsed(s, attempt_id, elapsed_s)


def _elapsed(s, attempt_id: int, elapsed_s: float) -> None:
    row = fetch(s, ExamAttempt, attempt_id)
    if row.status == "active":
        row.elapsed_s = max(row.elapsed_s, min(elapsed_s, float(row.time_limit_s)))
        s.add(row)


def finish_attempt(
    attempt_id: int,
    correct: int,
    scaled: int,
    passed: bool,
    elapsed_s: float,
    domains: Sequence[tuple[str, int, int]] = (),
) -> None:
    """Submit the attempt; ``domains`` is (domain id, correct, total) for a joined workshop's event."""
    with session() as s:
        row = fetch(s, ExamAttempt, attempt_id)
        row.status, row.submitted_at = "submitted", datetime.now(UTC)
        row.correct, row.scaled_score, row.passed = correct, scaled, passed
        row.elapsed_s = min(max(row.elapsed_s, elapsed_s), float(row.time_limit_s))
        s.add(row)
        outbox.record(
            s.connection(),
            "exam_finished",
            profile=row.profile_id,
            mode=row.mode,
            seed=row.seed,
            correct=correct,
            total=row.total,
            scaled=scaled,
            passed=passed,
            domains=[{"domain": d, "correct": c, "total": t} for d, c, t in domains],
        )


def history(profile_id: str | None = None) -> list[AttemptRow]:
    """Submitted attempts, oldest first, without their answers."""
    with session(read_only=True) as s:
        q = select(ExamAttempt).where(ExamAttempt.status == "submitted")
        if profile_id:
            q = q.where(ExamAttempt.profile_id == profile_id)
        return [_plain(r, []) for r in s.exec(q.order_by(col(ExamAttempt.id)))]


def recent_question_ids(profile_id: str, attempts: int = 3) -> set[str]:
    """Questions of the learner's last few attempts at a profile (new exams prefer others)."""
    with session(read_only=True) as s:
        ids = list(
            s.exec(
                select(ExamAttempt.id)
                .where(ExamAttempt.profile_id == profile_id)
                .order_by(col(ExamAttempt.id).desc())
                .limit(attempts)
            )
        )
        if not ids:
            return set()
        return set(s.exec(select(ExamAnswer.question_id).where(col(ExamAnswer.attempt_id).in_(ids))))
