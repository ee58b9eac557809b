"""FSRS scheduling over the store: record an answer, lapse, undo, re-rate, the due queue, retrievability.

Generic over (kind, item_id): questions today, drills later. Card.id is the fsrs ``card_id``. Each write
is one committed transaction (BEGIN IMMEDIATE), so an answer reported as recorded survives a killed process.
Hot paths use Core/driver SQL: the ORM costs more than the whole 2 ms budget of recording an answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from .clock import from_db, study_day, to_db, utcnow
from .config import ReviewSettings, read_settings
from .errors import ReviewError

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}
NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3  # 0 is ours (no card yet); 1-3 are fsrs.State
STATE_NAMES = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}
MATURE_DAYS = 21


def rating_for(correct: bool) -> int:
    """Auto-grading: a wrong answer is Again, a right one Good (the learner may override with Hard or Easy)."""
    return GOOD if correct else AGAIN


@dataclass(frozen=True)
class Recorded:
    log_id: int
    card_id: int
    kind: str
    item_id: str
    rating: int
    state: int
    due: datetime
    interval_days: float
    created: bool  # this answer created the card (it was new)

    @property
    def rating_name(self) -> str:
        return RATING_NAMES[self.rating]


@dataclass(frozen=True)
class DueCard:
    card_id: int
    kind: str
    item_id: str
    state: int
    due: datetime


@lru_cache(maxsize=8)
def scheduler_for(parameters: tuple[float, ...] | None, desired_retention: float):
    from fsrs import Scheduler

    if parameters is None:
        return Scheduler(desired_retention=desired_retention)
    return Scheduler(parameters=parameters, desired_retention=desired_retention)


def _engine():
    from tutor.store.db import get_engine

    return get_engine()


def _reader():
    return _engine().execution_options(tutor_read_only=True)


# -- recording -------------------------------------------------------------------

_CARD_COLS = "id, state, step, stability, difficulty, due, last_review, lapses, retired"


def _review(
    conn,
    kind: str,
    item_id: str,
    rating: int,
    duration_ms: int | None,
    at: datetime,
    source: str,
    settings: ReviewSettings,
    create: bool = True,
    new_card_id: int | None = None,
) -> Recorded | None:
    from fsrs import Card as FsrsCard
    from fsrs import Rating

    if rating not in RATING_NAMES:
        raise ReviewError(f"a rating is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy), not {rating!r}")
    row = conn.exec_driver_sql(f"SELECT {_CARD_COLS} FROM card WHERE kind = ? AND item_id = ?", (kind, item_id)).first()
    if row is None and not create:
        return None
    scheduler = scheduler_for(settings.parameters, settings.desired_retention)
    if row is None:
        before = None
        card = FsrsCard(card_id=0, due=at)  # card_id is replaced by the row id below
        state_before, lapses, last_review, prev_due = NEW, 0, None, None
    else:
        card_id, state_before, step, stability, difficulty, due_s, last_s, lapses, _retired = row
        prev_due, last_review = from_db(due_s), from_db(last_s)
        before = json.dumps(
            {
                "state": state_before,
                "step": step,
                "stability": stability,
                "difficulty": difficulty,
                "due": due_s,
                "last_review": last_s,
                "lapses": lapses,
            }
        )
        card = FsrsCard(
            card_id=card_id,
            state=state_before,
            step=step,
            stability=stability,
            difficulty=difficulty,
            due=prev_due,
            last_review=last_review,
        )
    new, _log = scheduler.review_card(card, Rating(rating), review_datetime=at, review_duration=duration_ms)
    if rating == AGAIN and state_before == REVIEW:
        lapses += 1
    if row is None:
        card_id = conn.exec_driver_sql(
            "INSERT INTO card (id, kind, item_id, state, step, stability, difficulty, due, last_review, lapses, "
            "retired, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
            (
                new_card_id,
                kind,
                item_id,
                int(new.state),
                new.step,
                new.stability,
                new.difficulty,
                to_db(new.due),
                to_db(at),
                lapses,
                to_db(at),
            ),
        ).lastrowid
    else:
        conn.exec_driver_sql(
            "UPDATE card SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?, last_review = ?, "
            "lapses = ?, retired = 0 WHERE id = ?",
            (int(new.state), new.step, new.stability, new.difficulty, to_db(new.due), to_db(at), lapses, card_id),
        )
    # statistics bookkeeping: the study day, and whether this answer is a true-retention sample
    day_start_hour = settings.day_starts_hour
    day = study_day(at, day_start_hour).isoformat()
    counted = None
    if state_before != NEW and (last_review is None or study_day(last_review, day_start_hour).isoformat() != day):
        interval = (prev_due - last_review).total_seconds() / 86400 if last_review else 0
        counted = 1 if interval >= MATURE_DAYS else 0
    elapsed = (at - last_review).total_seconds() / 86400 if last_review else None
    interval_days = (new.due - at).total_seconds() / 86400
    log_id = conn.exec_driver_sql(
        "INSERT INTO review_log (card_id, rating, reviewed_at, duration_ms, state_before, elapsed_days, "
        "interval_days, source, card_before, study_day, counted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (card_id, rating, to_db(at), duration_ms, state_before, elapsed, interval_days, source, before, day, counted),
    ).lastrowid
    _add_to_day(conn, day, 1, state_before == NEW, counted, rating, duration_ms or 0)
    if source == "review":  # a joined workshop hears of review answers, in this same transaction
        from tutor.store.outbox import record

        record(conn, "review_answered", kind=kind, item=item_id, rating=rating, duration_ms=duration_ms)
    return Recorded(log_id, card_id, kind, item_id, rating, int(new.state), new.due, interval_days, row is None)


def _add_to_day(conn, day: str, sign: int, was_new: bool, counted: int | None, rating: int, duration_ms: int) -> None:
    passed = int(rating != AGAIN)
    young = counted == 0
    mature = counted == 1
    conn.exec_driver_sql(
        "INSERT INTO review_day (day, reviews, new_cards, young_pass, young_total, mature_pass, mature_total, "
        "duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(day) DO UPDATE SET "
        "reviews = reviews + excluded.reviews, new_cards = new_cards + excluded.new_cards, "
        "young_pass = young_pass + excluded.young_pass, young_total = young_total + excluded.young_total, "
        "mature_pass = mature_pass + excluded.mature_pass, mature_total = mature_total + excluded.mature_total, "
        "duration_ms = duration_ms + excluded.duration_ms",
        (
            day,
            sign,
            sign * int(was_new),
            sign * passed * young,
            sign * young,
            sign * passed * mature,
            sign * mature,
            sign * duration_ms,
        ),
    )


def _created(rec: Recorded | None) -> Recorded:
    # _review answers None only for a card that does not exist and may not be created; callers rule that out
    if rec is None:
        raise ReviewError("the card to schedule does not exist")
    return rec


def record_answer(
    kind: str, item_id: str, rating: int, duration_ms: int | None, at: datetime | None = None, source: str = "review"
) -> Recorded:
    """Schedule one answer and commit it (its own transaction). Creates the card on its first answer."""
    at = at or utcnow()
    with _engine().begin() as conn:
        return _created(_review(conn, kind, item_id, rating, duration_ms, at, source, read_settings(conn)))


def lapse(
    item_ids: Iterable[str], source: str, kind: str = "question", at: datetime | None = None, create: bool = False
) -> list[int]:
    """Mark existing cards as forgotten (an Again) after a failed lab check or a wrong exam answer.

    Cards that are already due are left alone: the queue asks them anyway, and repeated failures
    (a lab checked ten times) must not pile up lapses. Items never answered are ignored, unless
    ``create`` (then they become cards due now, outside the daily new limit). Returns the lapsed card ids.
    """
    at = at or utcnow()
    lapsed = []
    with _engine().begin() as conn:
        settings = read_settings(conn)
        for item_id in dict.fromkeys(item_ids):
            row = conn.exec_driver_sql(
                "SELECT due, retired FROM card WHERE kind = ? AND item_id = ?", (kind, item_id)
            ).first()
            if (row is None and not create) or (row is not None and (row[1] or from_db(row[0]) <= at)):
                continue
            rec = _created(_review(conn, kind, item_id, AGAIN, None, at, source, settings, create=create))
            lapsed.append(rec.card_id)
    return lapsed


def _restore(conn, log_id: int) -> tuple:
    """Delete review ``log_id`` and put its card back as it was. Returns the deleted log row."""
    log = conn.exec_driver_sql(
        "SELECT card_id, rating, reviewed_at, duration_ms, state_before, source, card_before, study_day, counted "
        "FROM review_log WHERE id = ?",
        (log_id,),
    ).first()
    if log is None:
        raise ReviewError("that answer is not in the log any more")
    card_id, rating, _at, duration_ms, state_before, _source, before, day, counted = log
    latest = conn.exec_driver_sql("SELECT max(id) FROM review_log WHERE card_id = ?", (card_id,)).scalar()
    if latest != log_id:
        raise ReviewError("this card has been answered again since; only its latest answer can be undone")
    conn.exec_driver_sql("DELETE FROM review_log WHERE id = ?", (log_id,))
    if before is None:
        conn.exec_driver_sql("DELETE FROM card WHERE id = ?", (card_id,))
    else:
        b = json.loads(before)
        conn.exec_driver_sql(
            "UPDATE card SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?, last_review = ?, "
            "lapses = ? WHERE id = ?",
            (b["state"], b["step"], b["stability"], b["difficulty"], b["due"], b["last_review"], b["lapses"], card_id),
        )
    if day:
        _add_to_day(conn, day, -1, state_before == NEW, counted, rating, duration_ms or 0)
    return log


def undo(log_id: int) -> None:
    """Take back one answer: its log row goes and the card returns to its previous state (or back to new)."""
    with _engine().begin() as conn:
        _restore(conn, log_id)


def rerate(log_id: int, rating: int) -> Recorded:
    """Change the rating of a recorded answer (the learner's Hard/Easy override), in one transaction."""
    with _engine().begin() as conn:
        card_id = conn.exec_driver_sql("SELECT card_id FROM review_log WHERE id = ?", (log_id,)).scalar()
        if card_id is None:
            raise ReviewError("that answer is not in the log any more")
        kind, item_id = conn.exec_driver_sql("SELECT kind, item_id FROM card WHERE id = ?", (card_id,)).one()
        _cid, _r, at_s, duration_ms, _sb, source, *_ = _restore(conn, log_id)
        # a card this answer created is re-created under the same id, so the fsrs card_id never changes
        return _created(
            _review(
                conn,
                kind,
                item_id,
                rating,
                duration_ms,
                from_db(at_s),
                source,
                read_settings(conn),
                new_card_id=card_id,
            )
        )


# -- reading ---------------------------------------------------------------------

DUE_SQL = "SELECT id, kind, item_id, state, due FROM card WHERE retired = 0 AND due <= ? ORDER BY due LIMIT ?"


def due_cards(limit: int = 50, at: datetime | None = None, kind: str | None = None) -> list[DueCard]:
    """The next ``limit`` due cards, most overdue first: a range scan of the partial index ix_card_queue."""
    at = at or utcnow()
    sql, params = DUE_SQL, (to_db(at), limit)  # type: tuple[str, tuple[object, ...]]
    if kind is not None:
        sql = (
            "SELECT id, kind, item_id, state, due FROM card WHERE retired = 0 AND due <= ? AND kind = ? "
            "ORDER BY due LIMIT ?"
        )
        params = (to_db(at), kind, limit)
    with _reader().connect() as conn:
        rows = conn.exec_driver_sql(sql, params).all()
    return [DueCard(r[0], r[1], r[2], r[3], from_db(r[4])) for r in rows]


def retire_missing(kind: str, present: Iterable[str]) -> tuple[int, int]:
    """Retire cards whose content disappeared, revive those whose content came back. Returns (retired, revived)."""
    present = set(present)
    with _reader().connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, item_id, retired FROM card WHERE kind = ?", (kind,)).all()
    gone = [(cid,) for cid, item, retired in rows if not retired and item not in present]
    back = [(cid,) for cid, item, retired in rows if retired and item in present]
    if gone or back:
        with _engine().begin() as conn:
            if gone:
                conn.exec_driver_sql("UPDATE card SET retired = 1 WHERE id = ?", gone)
            if back:
                conn.exec_driver_sql("UPDATE card SET retired = 0 WHERE id = ?", back)
    return len(gone), len(back)


def decay_factor(settings: ReviewSettings) -> tuple[float, float]:
    """(DECAY, FACTOR) of the FSRS-6 forgetting curve R(t) = (1 + FACTOR * t / S) ** DECAY."""
    from fsrs.scheduler import DEFAULT_PARAMETERS

    w20 = (settings.parameters or DEFAULT_PARAMETERS)[20]
    decay = -w20
    return decay, 0.9 ** (1 / decay) - 1


def retrievability(stability: float | None, elapsed_days: float, decay: float, factor: float) -> float:
    if not stability:
        return 0.0
    return (1 + factor * max(0.0, elapsed_days) / stability) ** decay


def retrievabilities(
    at: datetime | None = None, kind: str = "question", settings: ReviewSettings | None = None
) -> dict[str, float]:
    """Retrievability now of every seen, non-retired card of ``kind``: item id -> probability of recall.

    Same curve as ``fsrs.Scheduler.get_card_retrievability`` (whole days elapsed), computed for all cards at once.
    """
    at = at or utcnow()
    with _reader().connect() as conn:
        settings = settings or read_settings(conn)
        rows = conn.exec_driver_sql(
            "SELECT item_id, stability, CAST(julianday(?) - julianday(last_review) AS INTEGER) FROM card "
            "WHERE retired = 0 AND kind = ? AND stability IS NOT NULL",
            (to_db(at), kind),
        ).all()
    decay, factor = decay_factor(settings)
    return {item: (1 + factor * max(0, days) / s) ** decay for item, s, days in rows}


__all__ = [
    "AGAIN",
    "EASY",
    "GOOD",
    "HARD",
    "DueCard",
    "Recorded",
    "due_cards",
    "lapse",
    "rating_for",
    "record_answer",
    "rerate",
    "retire_missing",
    "retrievabilities",
    "retrievability",
    "undo",
]
