"""Statistics: due forecast, review heatmap, true retention (young/mature), mastery and counts.

Mastery has one definition, used by every screen and command (Stats, Home, `tutor stats`, `tutor plan`):
the share of a group's questions (a chapter, or an exam domain) the learner would be expected to answer
correctly a week from now. Each seen card contributes its FSRS retrievability ``MASTERY_HORIZON`` ahead, an
unseen question contributes 0, and the sum is divided by all the group's questions. So a handful of cards can
never make a chapter 100%, and a card just answered wrong (low stability) counts for little even though its
recall this minute is high.

True retention follows Anki's definition: answers to cards already seen, only the first answer of a card
each study day, Again is a fail and Hard/Good/Easy are passes; a card is mature when the interval it
was reviewed at is at least 21 days. The per-day totals live in ``review_day``, updated with each answer,
so the Stats screen never scans the whole review log.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .clock import day_start, from_db, study_day, to_db, today_bounds, utcnow
from .config import read_settings
from .queue import today_counts
from .scheduler import AGAIN, LEARNING, MATURE_DAYS, NEW, RELEARNING, REVIEW, decay_factor

FORECAST_DAYS = 30
MASTERY_HORIZON = timedelta(days=7)
HEATMAP_DAYS = 365


@dataclass(frozen=True)
class MonthRetention:
    month: str  # YYYY-MM
    young_pass: int
    young_total: int
    mature_pass: int
    mature_total: int

    @property
    def young(self) -> float | None:
        return self.young_pass / self.young_total if self.young_total else None

    @property
    def mature(self) -> float | None:
        return self.mature_pass / self.mature_total if self.mature_total else None


@dataclass(frozen=True)
class Mastery:
    id: str
    title: str
    seen: int
    total: int
    mastery: float  # expected share of the group's questions recalled a week from now (see the module doc)


@dataclass
class Stats:
    generated_at: str
    today: str
    counts: dict[str, int] = field(default_factory=dict)
    forecast: list[int] = field(default_factory=list)  # index 0 = today, overdue included
    heatmap: list[tuple[str, int]] = field(default_factory=list)  # (day, answers), oldest first
    retention: list[MonthRetention] = field(default_factory=list)
    chapters: list[Mastery] = field(default_factory=list)
    domains: dict[str, list[Mastery]] = field(default_factory=dict)  # exam family -> domains

    @property
    def empty(self) -> bool:
        return self.counts.get("reviews_total", 0) == 0

    def to_dict(self) -> dict:
        data = asdict(self)
        data["heatmap"] = {day: n for day, n in self.heatmap if n}
        data["retention"] = [
            {**asdict(m), "young": _round(m.young), "mature": _round(m.mature)} for m in self.retention
        ]
        for m in data["chapters"] + [d for ds in data["domains"].values() for d in ds]:
            m["mastery"] = _round(m["mastery"])
        return data


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _engine():
    from tutor.store.db import get_engine

    return get_engine()


def gather(catalog, at: datetime | None = None) -> Stats:
    at = at or utcnow()
    with _engine().execution_options(tutor_read_only=True).connect() as conn:
        settings = read_settings(conn)
        hour = settings.day_starts_hour
        today, _start, _ = today_bounds(at, hour)
        stats = Stats(generated_at=at.isoformat(timespec="seconds"), today=today.isoformat())

        # forecast: one index range count per study day
        bounds = [day_start(today + timedelta(days=i), hour) for i in range(1, FORECAST_DAYS + 1)]
        today_now = today_counts(conn, catalog, at, settings)
        stats.forecast = [today_now.due_today]
        for lo, hi in itertools.pairwise(bounds):
            stats.forecast.append(
                conn.exec_driver_sql(
                    "SELECT count(*) FROM card WHERE retired = 0 AND kind = 'question' AND due >= ? AND due < ?",
                    (to_db(lo), to_db(hi)),
                ).scalar()
            )

        first = (today - timedelta(days=HEATMAP_DAYS - 1)).isoformat()
        days = dict(
            conn.exec_driver_sql("SELECT day, reviews FROM review_day WHERE day >= ? AND reviews > 0", (first,)).all()
        )
        stats.heatmap = [
            ((d := today - timedelta(days=HEATMAP_DAYS - 1 - i)).isoformat(), days.get(d.isoformat(), 0))
            for i in range(HEATMAP_DAYS)
        ]
        stats.retention = [
            MonthRetention(*row)
            for row in conn.exec_driver_sql(
                "SELECT substr(day, 1, 7) AS month, sum(young_pass), sum(young_total), sum(mature_pass), "
                "sum(mature_total) FROM review_day GROUP BY month ORDER BY month"
            ).all()
            if row[2] or row[4]
        ]
        reviews_total = conn.exec_driver_sql("SELECT coalesce(sum(reviews), 0) FROM review_day").scalar()
        reviews_today = days.get(today.isoformat(), 0)

        # one scan of the covering index ix_card_state for the counts; maturity from stability: FSRS schedules interval = stability * k(retention),
        # so "interval >= 21 days" is "stability >= 21 / k" without parsing two dates per card
        decay, factor = decay_factor(settings)
        k = (settings.desired_retention ** (1 / decay) - 1) / factor
        by_state: dict[int, int] = {}
        mature = retired = 0
        for is_retired, state, n, n_mature in conn.exec_driver_sql(
            "SELECT retired, state, count(*), sum(stability >= ?) FROM card GROUP BY state, retired", (MATURE_DAYS / k,)
        ):
            if is_retired:
                retired += n
            else:
                by_state[state] = by_state.get(state, 0) + n
                mature += (n_mature or 0) if state == REVIEW else 0
        recall = _recall(conn, catalog, at + MASTERY_HORIZON, decay, factor)

    stats.chapters, stats.domains = mastery(catalog, recall)
    seen = sum(m.seen for m in stats.chapters)  # every question counts in exactly one chapter
    stats.counts = {
        "questions": len(catalog.questions),
        "new": len(catalog.questions) - seen,
        "learning": by_state.get(LEARNING, 0) + by_state.get(RELEARNING, 0),
        "young": by_state.get(REVIEW, 0) - mature,
        "mature": mature,
        "retired": retired,
        "due_today": today_now.due_today,
        "reviews_today": reviews_today,
        "reviews_total": reviews_total,
    }
    return stats


def mastery_now(catalog, at: datetime | None = None) -> tuple[list[Mastery], dict[str, list[Mastery]]]:
    """Mastery per chapter and per exam domain, for screens that need it without the rest of the statistics."""
    at = at or utcnow()
    with _engine().execution_options(tutor_read_only=True).connect() as conn:
        decay, factor = decay_factor(read_settings(conn))
        recall = _recall(conn, catalog, at + MASTERY_HORIZON, decay, factor)
    return mastery(catalog, recall)


def _recall(conn, catalog, at: datetime, decay: float, factor: float) -> list[tuple[str, float]]:
    """(question id, retrievability) of the seen question cards (same curve as fsrs: whole days elapsed)."""
    now = to_db(at)
    r_sql = "pow(1 + ? * max(0, CAST(julianday(?) - julianday(last_review) AS INTEGER)) / stability, ?)"
    ids = list(catalog.questions)
    try:
        if len(ids) <= 20_000:  # the usual case: look the catalog's cards up by (kind, item_id)
            rows = []
            for n in range(0, len(ids), 500):
                part = ids[n : n + 500]
                rows += conn.exec_driver_sql(
                    f"SELECT item_id, {r_sql} FROM card WHERE kind = 'question' AND retired = 0 "
                    f"AND stability > 0 AND item_id IN ({','.join('?' * len(part))})",
                    (factor, now, decay, *part),
                ).all()
            return rows
        # one scan, through the driver cursor directly: SQLAlchemy's row processing would double the time here
        return conn.connection.driver_connection.execute(
            f"SELECT item_id, {r_sql} FROM card NOT INDEXED WHERE kind = 'question' AND retired = 0 AND stability > 0",
            (factor, now, decay),
        ).fetchall()
    except Exception as exc:  # SQLite built without math functions: compute in Python
        if "pow" not in str(exc):
            raise
    rows = conn.exec_driver_sql(
        "SELECT item_id, stability, CAST(julianday(?) - julianday(last_review) AS INTEGER) FROM card "
        "NOT INDEXED WHERE kind = 'question' AND retired = 0 AND stability > 0",
        (now,),
    ).all()
    return [(i, (1 + factor * max(0, d) / s) ** decay) for i, s, d in rows]


@dataclass(frozen=True)
class _Groups:
    """How a catalog's questions fall into chapters and exam domains, worked out once per catalog.

    Questions that count in the same groups share a profile; a profile is one of a few hundred at most,
    so summing recall per profile and then per group costs one dict lookup per seen card.
    """

    keys: list[tuple[str, str]]  # ("chapter", lesson id), then (family, domain id)
    profile_of: dict[str, int]  # question id -> profile
    profiles: list[tuple[int, ...]]  # profile -> the groups (indexes into keys) it counts in
    total: list[int]  # questions per group


_GROUPS: dict[int, tuple] = {}


def _groups(catalog) -> _Groups:
    cached = _GROUPS.get(id(catalog))
    if cached and cached[0] is catalog:
        return cached[1]
    keys: list[tuple[str, str]] = [("chapter", lid) for lid in catalog.lessons]
    keys += [(fam, d.id) for fam, f in catalog.families.items() for d in f.domains]
    slot = {key: n for n, key in enumerate(keys)}
    profiles: dict[tuple[int, ...], int] = {}
    profile_of: dict[str, int] = {}
    total = [0] * len(keys)
    for qid, q in catalog.questions.items():
        slots = []
        for key in (("chapter", q.lesson.partition("#")[0]), *q.domain.items()):
            if key not in slot:
                slot[key] = len(keys)
                keys.append(key)
                total.append(0)
            slots.append(slot[key])
            total[slot[key]] += 1
        profile_of[qid] = profiles.setdefault(tuple(slots), len(profiles))
    result = _Groups(keys, profile_of, list(profiles), total)
    _GROUPS.clear()
    _GROUPS[id(catalog)] = (catalog, result)
    return result


def mastery(catalog, recall: list[tuple[str, float]]) -> tuple[list[Mastery], dict[str, list[Mastery]]]:
    """Mastery (see the module doc) per chapter and per exam domain, with seen/total counts.

    ``recall`` is (question id, retrievability a week ahead) per seen card; cards of questions no longer in
    the catalog are left out.
    """
    groups = _groups(catalog)
    profile_of = groups.profile_of
    p_seen = [0] * len(groups.profiles)
    p_sum = [0.0] * len(groups.profiles)
    for qid, r in recall:
        p = profile_of.get(qid)
        if p is not None:
            p_seen[p] += 1
            p_sum[p] += r
    seen = [0] * len(groups.keys)
    rsum = [0.0] * len(groups.keys)
    for p, slots in enumerate(groups.profiles):
        for n in slots:
            seen[n] += p_seen[p]
            rsum[n] += p_sum[p]
    chapters: list[Mastery] = []
    domains: dict[str, list[Mastery]] = {}
    for n, (group, key) in enumerate(groups.keys):
        total = groups.total[n]
        m_value = rsum[n] / total if total else 0.0
        if group == "chapter":
            if total:
                lesson = catalog.lessons.get(key)
                chapters.append(Mastery(key, lesson.title if lesson else key, seen[n], total, m_value))
        else:
            family = catalog.families.get(group)
            names = {d.id: d.name for d in family.domains} if family else {}
            domains.setdefault(group, []).append(Mastery(key, names.get(key, key), seen[n], total, m_value))
    return chapters, domains


def rebuild_daily() -> int:
    """Recompute review_day and each log's study day and retention bucket from the review log.

    Needed after the day boundary changes (a day's totals depend on it) or for a log written before
    migration 0003. Returns the number of logs read.
    """
    with _engine().begin() as conn:
        hour = read_settings(conn).day_starts_hour
        logs = conn.exec_driver_sql(
            "SELECT id, card_id, rating, reviewed_at, duration_ms, state_before, interval_days FROM review_log "
            "ORDER BY card_id, reviewed_at, id"
        ).all()
        totals: dict[str, list[int]] = {}
        updates: list[tuple[str, int | None, Any]] = []
        prev_card, prev_day, prev_interval = None, None, None
        day_cache: dict[str, str] = {}
        for log_id, card_id, rating, at_s, duration, state_before, interval in logs:
            if card_id != prev_card:
                prev_card, prev_day, prev_interval = card_id, None, None
            hour_key = at_s[:13]  # the study day only changes on the hour
            day = day_cache.get(hour_key)
            if day is None:
                day = day_cache[hour_key] = study_day(from_db(at_s), hour).isoformat()
            counted = None
            if state_before != NEW and prev_day is not None and day != prev_day:
                counted = 1 if (prev_interval or 0) >= MATURE_DAYS else 0
            t = totals.setdefault(day, [0, 0, 0, 0, 0, 0, 0])
            passed = int(rating != AGAIN)
            t[0] += 1
            t[1] += state_before == NEW
            if counted == 0:
                t[2] += passed
                t[3] += 1
            elif counted == 1:
                t[4] += passed
                t[5] += 1
            t[6] += duration or 0
            updates.append((day, counted, log_id))
            prev_day, prev_interval = day, interval
        if updates:
            conn.exec_driver_sql("UPDATE review_log SET study_day = ?, counted = ? WHERE id = ?", updates)
        conn.exec_driver_sql("DELETE FROM review_day")
        if totals:
            conn.exec_driver_sql(
                "INSERT INTO review_day (day, reviews, new_cards, young_pass, young_total, mature_pass, "
                "mature_total, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(day, *t) for day, t in sorted(totals.items())],
            )
    return len(logs)
