"""Lab attempts: one open attempt per lab, every grading run with its per-check results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from . import outbox
from .db import fetch, saved_id, session
from .models import LabAttempt, LabCheckResult


@dataclass(frozen=True)
class Attempt:
    id: int
    lab_id: str
    status: str
    hints_used: int
    resets: int
    solution_viewed: bool
    checks_passed: int
    checks_total: int
    score: float
    started_at: datetime
    finished_at: datetime | None


def _plain(row: LabAttempt) -> Attempt:
    return Attempt(
        saved_id(row),
        row.lab_id,
        row.status,
        row.hints_used,
        row.resets,
        row.solution_viewed,
        row.checks_passed,
        row.checks_total,
        row.score,
        row.started_at,
        row.finished_at,
    )


def open_lab_attempt(lab_id: str, at: datetime | None = None) -> int:
    """The id of the lab's open attempt, creating one when there is none."""
    with session() as s:
        row = s.exec(
            select(LabAttempt)
            .where(LabAttempt.lab_id == lab_id, col(LabAttempt.finished_at).is_(None))
            .order_by(col(LabAttempt.id).desc())
        ).first()
        if row is None:
            row = LabAttempt(lab_id=lab_id, started_at=at or datetime.now(UTC))
            s.add(row)
            s.flush()
            outbox.record(s.connection(), "lab_started", lab=lab_id)
        return saved_id(row)


def lab_attempt(attempt_id: int) -> Attempt:
    with session(read_only=True) as s:
        return _plain(fetch(s, LabAttempt, attempt_id))


def _update(attempt_id: int, change, event: str | None = None, details=lambda row: {}) -> Attempt:
    """Change the attempt and queue the workshop ``event`` about it, in one transaction."""
    with session() as s:
        row = fetch(s, LabAttempt, attempt_id)
        change(row)
        s.add(row)
        if event:
            outbox.record(s.connection(), event, lab=row.lab_id, **details(row))
        return _plain(row)


def use_hint(attempt_id: int, available: int) -> int:
    """Count one more hint (never more than there are); returns the hint number to show."""

    def bump(row: LabAttempt) -> None:
        row.hints_used = min(row.hints_used + 1, available)

    return _update(attempt_id, bump, "lab_hint", lambda row: {"number": row.hints_used}).hints_used


def mark_solution_viewed(attempt_id: int) -> None:
    _update(attempt_id, lambda row: setattr(row, "solution_viewed", True), "lab_solution_viewed")


def count_reset(attempt_id: int) -> None:
    def bump(row: LabAttempt) -> None:
        row.resets += 1

    _update(attempt_id, bump, "lab_reset")


def finish_lab_attempt(attempt_id: int) -> None:
    def close(row: LabAttempt) -> None:
        row.finished_at = datetime.now(UTC)
        if row.status == "active":
            row.status = "stopped"

    _update(attempt_id, close)


def record_lab_check(attempt_id: int, report: Any) -> None:
    """Store one grading run: every check's result, and the attempt's latest score.

    The attempt is marked passed the first time every check passes; later runs keep that.
    """
    now = datetime.now(UTC)
    with session() as s:
        row = fetch(s, LabAttempt, attempt_id)
        run = (
            s.exec(select(func.max(LabCheckResult.run)).where(LabCheckResult.attempt_id == attempt_id)).one() or 0
        ) + 1
        for c in report.checks:
            s.add(
                LabCheckResult(
                    attempt_id=attempt_id, run=run, check_id=c.id, passed=c.passed, message=c.message, checked_at=now
                )
            )
        row.checks_passed, row.checks_total, row.score = report.passed, report.total, report.score
        if report.passed == report.total and row.status == "active":
            row.status = "passed"
        s.add(row)
        outbox.record(
            s.connection(),
            "lab_graded",
            lab=row.lab_id,
            passed=report.passed,
            total=report.total,
            score=report.score,
            hints_used=row.hints_used,
            checks=[{"id": c.id, "passed": c.passed, "message": c.message[:2000]} for c in report.checks],
        )


def lab_summaries() -> dict[str, dict[str, Any]]:
    """lab id -> {"attempts", "best_score", "passed", "status"} for the lab list."""
    out: dict[str, dict[str, Any]] = {}
    with session(read_only=True) as s:
        for row in s.exec(select(LabAttempt).order_by(col(LabAttempt.id))):
            entry = out.setdefault(row.lab_id, {"attempts": 0, "best_score": 0.0, "passed": False, "status": ""})
            entry["attempts"] += 1
            entry["best_score"] = max(entry["best_score"], row.score)
            entry["passed"] = entry["passed"] or row.status == "passed"
            entry["status"] = row.status
    return out
