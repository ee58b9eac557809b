"""A study plan: an exam date and profile that bend the daily queue toward that day.

- Reviews: a card whose next review falls after the exam, but whose recall would have decayed
  below the desired retention by the exam date, is reviewed before it. Those cards are spread
  over the days left, the most at risk first.
- New cards: enough per day to see the whole profile's bank before the last few days (at least
  the daily limit, at most three times it), weakest domains first.

Weak = low mastery, where mastery is the mean recall of a domain's questions with unseen ones
counting as 0, so a domain never studied is the weakest of all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .clock import from_db, to_db, today_bounds, utcnow
from .scheduler import decay_factor, retrievability

SETTING = "study_plan"
REVIEW_DAYS = 3  # the last days before the exam are for reviewing, not for new cards
MAX_NEW_FACTOR = 3


@dataclass(frozen=True)
class Plan:
    exam_date: date
    profile_id: str


def get_plan() -> Plan | None:
    from tutor.store.progress import get_setting

    raw = get_setting(SETTING)
    if not raw:
        return None
    return Plan(date.fromisoformat(raw["exam_date"]), raw["profile"])


def set_plan(exam_date: date, profile_id: str) -> Plan:
    from tutor.store.progress import set_setting

    set_setting(SETTING, {"exam_date": exam_date.isoformat(), "profile": profile_id})
    return Plan(exam_date, profile_id)


def clear_plan() -> None:
    from tutor.store.progress import set_setting

    set_setting(SETTING, None)


def days_left(plan: Plan, at: datetime | None = None, boundary_hour: int = 4) -> int:
    """Study days from today up to and including the day before the exam."""
    today, _, _ = today_bounds(at or utcnow(), boundary_hour)
    return max(0, (plan.exam_date - today).days)


def _family(catalog, plan: Plan) -> str:
    """The exam family (saa, clf) of the plan's profile."""
    profile = catalog.exams.get(plan.profile_id)
    return profile.family if profile else "saa"


def domain_mastery(catalog, plan: Plan, at: datetime | None = None) -> dict[str, float]:
    """domain -> mastery (the one definition, in ``tutor.srs.stats``) for the plan's exam family, weakest first."""
    from .stats import mastery_now

    family = _family(catalog, plan)
    _, domains = mastery_now(catalog, at)
    values = {m.id: m.mastery for m in domains.get(family, [])}
    return dict(sorted(values.items(), key=lambda kv: kv[1]))


def at_risk(conn, plan: Plan, at: datetime, desired: float, decay: float, factor: float) -> list[tuple[str, float]]:
    """Cards next due after the exam whose recall on the exam day would fall below ``desired``, most at risk first."""
    exam = datetime.combine(plan.exam_date, datetime.min.time(), tzinfo=at.tzinfo)
    rows = conn.exec_driver_sql(
        "SELECT item_id, stability, last_review FROM card WHERE retired = 0 AND kind = 'question' "
        "AND due > ? AND due > ? AND stability IS NOT NULL",
        (to_db(exam), to_db(at)),
    ).all()
    out = []
    for item, stability, last in rows:
        elapsed = (exam - from_db(last)).total_seconds() / 86400
        r = retrievability(stability, math.floor(elapsed), decay, factor)
        if r < desired:
            out.append((item, r))
    out.sort(key=lambda x: x[1])
    return out


@dataclass(frozen=True)
class PlanAdjustment:
    pulled: list[str]  # reviews brought forward today
    new_limit: int  # today's new-card limit under the plan
    domain_order: list[str]  # weakest first
    family: str = "saa"  # the exam family the domains belong to


def adjust(conn, catalog, plan: Plan, at: datetime, settings, unseen: int, new_done: int) -> PlanAdjustment:
    """How the plan changes today's queue (called by the queue builder)."""
    left = days_left(plan, at, settings.day_starts_hour)
    family = _family(catalog, plan)
    if left <= 0:
        return PlanAdjustment([], max(0, settings.daily_new - new_done), [], family)
    decay, factor = decay_factor(settings)
    risky = at_risk(conn, plan, at, settings.desired_retention, decay, factor)
    pulled = [item for item, _ in risky[: math.ceil(len(risky) / left)]]
    learning_days = max(1, left - REVIEW_DAYS)
    per_day = max(settings.daily_new, min(settings.daily_new * MAX_NEW_FACTOR, math.ceil(unseen / learning_days)))
    return PlanAdjustment(pulled, max(0, per_day - new_done), list(domain_mastery(catalog, plan, at)), family)


@dataclass(frozen=True)
class TodayPlan:
    plan: Plan
    days_left: int
    reviews: int
    new: int
    weakest: list[tuple[str, str, float]]  # (domain id, name, mastery)
    lab_id: str | None


def today_plan(catalog, at: datetime | None = None) -> TodayPlan | None:
    """What Home shows under a plan: today's reviews and new cards, the days left, one lab."""
    from .queue import build_queue

    plan = get_plan()
    if plan is None:
        return None
    at = at or utcnow()
    queue = build_queue(catalog, at=at)
    new = sum(1 for item in queue.items if item.state == 0)
    # reviews: every card due today the daily maximum allows (the same figure Review and Stats show),
    # plus the ones the plan brings forward
    reviews = (queue.today.reviews_left if queue.today else 0) + queue.pulled
    family = _family(catalog, plan)
    fam = catalog.families.get(family)
    names = {d.id: d.name for d in fam.domains} if fam else {}
    mastery = domain_mastery(catalog, plan, at)
    weakest = [(d, names.get(d, d), m) for d, m in list(mastery.items())[:2]]
    return TodayPlan(
        plan,
        days_left(plan, at),
        reviews,
        new,
        weakest,
        lab_for_domain(catalog, family, weakest[0][0]) if weakest else None,
    )


def lab_for_domain(catalog, family: str, domain: str) -> str | None:
    """The lab whose lessons teach the most questions of ``domain``."""
    best, best_count = None, 0
    for lab in catalog.labs.values():
        count = sum(1 for ref in lab.lessons for q in catalog.questions_for(ref) if q.domain.get(family) == domain)
        if count > best_count:
            best, best_count = lab.id, count
    return best


def recent_lapses_by_domain(catalog, family: str = "saa", days: int = 14, at: datetime | None = None) -> dict[str, int]:
    """Lapses (Again answers to seen cards) in the last ``days`` days, per domain."""
    from tutor.store.db import get_engine

    at = at or utcnow()
    with get_engine().connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT c.item_id FROM review_log r JOIN card c ON c.id = r.card_id "
            "WHERE r.rating = 1 AND r.state_before != 0 AND c.kind = 'question' AND r.reviewed_at >= ?",
            (to_db(at - timedelta(days=days)),),
        ).all()
    out: dict[str, int] = {}
    for (item,) in rows:
        q = catalog.questions.get(item)
        if q:
            dom = q.domain.get(family, "")
            out[dom] = out.get(dom, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


__all__ = [
    "Plan",
    "PlanAdjustment",
    "TodayPlan",
    "adjust",
    "clear_plan",
    "days_left",
    "domain_mastery",
    "get_plan",
    "lab_for_domain",
    "recent_lapses_by_domain",
    "set_plan",
    "today_plan",
]
