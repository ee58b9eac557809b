"""Today's review queue: due cards first (most overdue first), then new cards up to the daily limit.

New cards are catalog questions without a Card row. A study day starts at the day boundary hour
(default 04:00 local); the limits count answers given in the review itself (source "review").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .clock import from_db, to_db, today_bounds, utcnow
from .config import ReviewSettings, read_settings
from .scheduler import NEW


@dataclass(frozen=True)
class QueueItem:
    kind: str
    item_id: str
    state: int  # NEW (0) for a card never answered
    due: datetime | None = None


@dataclass(frozen=True)
class Today:
    """Today's numbers. Every screen and command takes its counts from here (``today_counts``).

    "Due today" means question cards (not retired) due before the end of the current study day: the
    overdue ones, the ones due now, and learning cards that come back later today. "Left today" is what the
    daily limits still allow of those, plus the new cards the daily new limit allows.
    """

    day: str
    reviews_done: int  # answers today to cards already seen
    new_done: int  # cards introduced today
    due_now: int  # due cards now (all of them, before the daily maximum)
    new_available: int  # questions never answered
    reviews_left: int  # cards due today that the daily maximum still allows
    new_left: int  # new cards the daily limit still allows (and that exist)
    due_today: int = 0  # cards due before the study day ends (overdue and later-today learning steps included)

    @property
    def left(self) -> int:
        return self.reviews_left + self.new_left


@dataclass
class Queue:
    items: list[QueueItem] = field(default_factory=list)
    today: Today | None = None
    scope: str | None = None
    next_due: datetime | None = None  # when the next card falls due, if the queue is empty
    pulled: int = 0  # reviews a study plan brought forward (not due today)


def _engine():
    from tutor.store.db import get_engine

    return get_engine().execution_options(tutor_read_only=True)


def _new_order(
    catalog, seen: set[str], read: dict[str, set[str]], ids=None, priority: dict[str, int] | None = None
) -> list[str]:
    """Unseen questions: by ``priority`` (a study plan's weak domains) if given, then sections the learner
    has read first, then chapter and section order."""
    section_rank: dict[str, tuple[int, int]] = {}
    for li, lesson in enumerate(catalog.lessons.values()):
        section_rank[lesson.id] = (li, -1)
        for si, section in enumerate(lesson.sections):
            section_rank[f"{lesson.id}#{section.anchor}"] = (li, si)
    candidates = ids if ids is not None else catalog.questions.keys()
    ranked = []
    for pos, qid in enumerate(candidates):
        if qid in seen or qid not in catalog.questions:
            continue
        ref = catalog.questions[qid].lesson
        lesson_id, _, anchor = ref.partition("#")
        is_read = anchor in read.get(lesson_id, ()) if anchor else bool(read.get(lesson_id))
        rank = section_rank.get(ref, section_rank.get(lesson_id, (10**6, 0)))
        ranked.append(((priority or {}).get(qid, 0), not is_read, rank, pos, qid))
    ranked.sort()
    return [r[-1] for r in ranked]


def today_counts(conn, catalog, at: datetime, settings: ReviewSettings, seen: set[str] | None = None) -> Today:
    day, start, end = today_bounds(at, settings.day_starts_hour)
    done, new_done = conn.exec_driver_sql(
        "SELECT count(*), coalesce(sum(state_before = 0), 0) FROM review_log "
        "WHERE reviewed_at >= ? AND source = 'review'",
        (to_db(start),),
    ).one()
    due_now, due_today = conn.exec_driver_sql(
        "SELECT coalesce(sum(due <= ?), 0), count(*) FROM card WHERE retired = 0 AND due < ? AND kind = 'question'",
        (to_db(at), to_db(end)),
    ).one()
    if seen is None:
        seen = {r[0] for r in conn.exec_driver_sql("SELECT item_id FROM card WHERE kind = 'question'")}
    new_available = len(catalog.questions.keys() - seen)
    reviews_done = done - new_done
    reviews_left = max(0, min(due_today, settings.max_reviews - reviews_done))
    new_left = max(0, min(new_available, settings.daily_new - new_done))
    return Today(day.isoformat(), reviews_done, new_done, due_now, new_available, reviews_left, new_left, due_today)


def build_queue(
    catalog, scope: str | None = None, at: datetime | None = None, learn_ahead: timedelta = timedelta(0)
) -> Queue:
    """The questions to ask now. ``scope`` ("s3" or "s3#versioning") practises one lesson or section:
    its due cards, then all its new cards (an explicit request is not held back by the daily new limit)."""
    from tutor.store.progress import read_sections

    at = at or utcnow()
    priority = None
    pulled_count = 0
    with _engine().connect() as conn:
        settings = read_settings(conn)
        seen = {r[0] for r in conn.exec_driver_sql("SELECT item_id FROM card WHERE kind = 'question'")}
        today = today_counts(conn, catalog, at, settings, seen)
        horizon = to_db(at + learn_ahead)
        if scope:
            ids = [q.id for q in catalog.questions_for(scope)]
            rows = []
            for chunk in range(0, len(ids), 500):
                part = ids[chunk : chunk + 500]
                rows += conn.exec_driver_sql(
                    f"SELECT item_id, state, due FROM card WHERE kind = 'question' AND retired = 0 AND due <= ? "
                    f"AND item_id IN ({','.join('?' * len(part))})",
                    (horizon, *part),
                ).all()
            rows.sort(key=lambda r: r[2])
            new_limit = len(ids)
        else:
            ids = None
            # due cards are the range scan of ix_card_queue; the daily maximum bounds it
            limit = today.reviews_left + (50 if learn_ahead else 0)
            rows = conn.exec_driver_sql(
                "SELECT item_id, state, due FROM card WHERE retired = 0 AND due <= ? AND kind = 'question' "
                "ORDER BY due LIMIT ?",
                (horizon, limit),
            ).all()
            new_limit = today.new_left
            plan = _plan_adjustment(conn, catalog, at, settings, today)
            if plan is not None:
                # reviews the exam date needs, after the due ones; then more new cards, weakest domains first
                room = max(0, settings.max_reviews - today.reviews_done - len(rows))
                due_ids = {r[0] for r in rows}
                pulled = [p for p in plan.pulled if p not in due_ids][:room]
                pulled_count = len(pulled)
                if pulled:
                    marks = ",".join("?" * len(pulled))
                    rows += conn.exec_driver_sql(
                        f"SELECT item_id, state, due FROM card WHERE kind = 'question' AND item_id IN ({marks})",
                        tuple(pulled),
                    ).all()
                new_limit = min(today.new_available, plan.new_limit)
                priority = _domain_priority(catalog, plan)
        next_due = conn.exec_driver_sql(
            "SELECT min(due) FROM card WHERE retired = 0 AND kind = 'question' AND due > ?", (horizon,)
        ).scalar()
    items = [QueueItem("question", item, state, from_db(due)) for item, state, due in rows if item in catalog.questions]
    read = read_sections() if new_limit else {}
    items += [QueueItem("question", qid, NEW) for qid in _new_order(catalog, seen, read, ids, priority)[:new_limit]]
    return Queue(items, today, scope, from_db(next_due), pulled_count)


def _plan_adjustment(conn, catalog, at: datetime, settings: ReviewSettings, today: Today):
    """The study plan's changes to today's queue, or None without a plan (or after the exam)."""
    from .plan import adjust, get_plan

    plan = get_plan()
    if plan is None:
        return None
    return adjust(conn, catalog, plan, at, settings, today.new_available, today.new_done)


def _domain_priority(catalog, plan) -> dict[str, int]:
    """question id -> rank of its domain, weakest domain first."""
    rank = {d: i for i, d in enumerate(plan.domain_order)}
    return {qid: rank.get(q.domain.get(plan.family, ""), len(rank)) for qid, q in catalog.questions.items()}


def load_today(catalog, at: datetime | None = None) -> Today:
    at = at or utcnow()
    with _engine().connect() as conn:
        return today_counts(conn, catalog, at, read_settings(conn))
