"""Statistics: true retention (young/mature, first answer per day, Again fails), forecast, heatmap, mastery."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime, timedelta

import pytest

from tutor import paths
from tutor.srs import scheduler as sch
from tutor.srs.config import save_settings
from tutor.srs.stats import gather, rebuild_daily

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def utc_days(monkeypatch):
    """Study days in UTC starting at midnight, whatever the machine's time zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    save_settings(day_starts_hour=0)
    yield
    monkeypatch.undo()
    time.tzset()


def month(stats, m):
    return next(x for x in stats.retention if x.month == m)


def test_first_answers_of_new_cards_are_not_retention_samples(sample_catalog):
    sch.record_answer("question", "storage-001", sch.AGAIN, 100, at=T0)
    stats = gather(sample_catalog, at=T0)
    assert stats.retention == []
    assert stats.counts["reviews_total"] == 1


def test_only_the_first_answer_of_a_card_each_day_counts_and_again_fails(sample_catalog):
    sch.record_answer("question", "storage-001", sch.GOOD, 100, at=T0)
    day2 = T0 + timedelta(days=1)
    sch.record_answer("question", "storage-001", sch.AGAIN, 100, at=day2)  # counted: a fail
    sch.record_answer("question", "storage-001", sch.GOOD, 100, at=day2 + timedelta(minutes=10))  # same day
    sch.record_answer("question", "storage-002", sch.GOOD, 100, at=T0)
    sch.record_answer("question", "storage-002", sch.HARD, 100, at=day2)  # counted: Hard passes
    m = month(gather(sample_catalog, at=day2), "2026-01")
    assert (m.young_pass, m.young_total, m.mature_total) == (1, 2, 0)
    assert m.young == 0.5 and m.mature is None


def test_a_card_reviewed_at_an_interval_of_21_days_or_more_is_mature(sample_catalog):
    at = T0
    rec = sch.record_answer("question", "storage-001", sch.EASY, 100, at=at)
    while rec.interval_days < 21:
        at = rec.due
        rec = sch.record_answer("question", "storage-001", sch.EASY, 100, at=at)
    young_before = sum(m.young_total for m in gather(sample_catalog, at=at).retention)
    sch.record_answer("question", "storage-001", sch.AGAIN, 100, at=rec.due)
    stats = gather(sample_catalog, at=rec.due)
    assert sum(m.mature_total for m in stats.retention) == 1
    assert sum(m.mature_pass for m in stats.retention) == 0
    assert sum(m.young_total for m in stats.retention) == young_before


def test_rebuilding_the_daily_totals_gives_the_same_numbers(sample_catalog):
    at = T0
    for n in range(6):
        for qid, rating in (("storage-001", sch.GOOD), ("storage-002", sch.AGAIN if n % 2 else sch.HARD)):
            sch.record_answer("question", qid, rating, 100 + n, at=at)
        at += timedelta(days=n + 1, minutes=7)
    before = gather(sample_catalog, at=at)
    with sqlite3.connect(paths.home() / "tutor.db") as conn:
        days = conn.execute("SELECT * FROM review_day ORDER BY day").fetchall()
    assert rebuild_daily() == 12
    with sqlite3.connect(paths.home() / "tutor.db") as conn:
        assert conn.execute("SELECT * FROM review_day ORDER BY day").fetchall() == days
    assert gather(sample_catalog, at=at).retention == before.retention


def test_undo_takes_the_answer_out_of_the_statistics(sample_catalog):
    sch.record_answer("question", "storage-001", sch.GOOD, 100, at=T0)
    rec = sch.record_answer("question", "storage-001", sch.AGAIN, 100, at=T0 + timedelta(days=2))
    sch.undo(rec.log_id)
    stats = gather(sample_catalog, at=T0 + timedelta(days=2))
    assert stats.retention == [] and stats.counts["reviews_total"] == 1


def test_forecast_heatmap_counts_and_mastery(sample_catalog):
    sch.record_answer("question", "storage-001", sch.EASY, 100, at=T0)  # due in days
    sch.record_answer("question", "network-001", sch.AGAIN, 100, at=T0)  # due in a minute
    stats = gather(sample_catalog, at=T0)
    assert len(stats.forecast) == 30 and sum(stats.forecast) == 2 and stats.forecast[0] == 1
    assert len(stats.heatmap) == 365 and stats.heatmap[-1] == ("2026-01-05", 2)
    assert stats.counts == {
        "questions": 5,
        "new": 3,
        "learning": 1,
        "young": 1,
        "mature": 0,
        "retired": 0,
        "due_today": 1,
        "reviews_today": 2,
        "reviews_total": 2,
    }
    chapters = {m.id: m for m in stats.chapters}
    assert chapters["storage"].seen == 1 and chapters["storage"].total == 3
    # one of three questions seen, answered Easy: at most a third of the chapter, and most of that third
    assert 0.25 < chapters["storage"].mastery <= 1 / 3
    later = gather(sample_catalog, at=T0 + timedelta(days=30))
    assert 0 < {m.id: m for m in later.chapters}["storage"].mastery < chapters["storage"].mastery
    resilient = {m.id: m for m in later.domains["saa"]}["resilient"]
    assert resilient.seen == 1 and resilient.total == 3


def test_stats_json_is_plain_data(sample_catalog):
    sch.record_answer("question", "storage-001", sch.GOOD, 100, at=T0)
    data = json.loads(json.dumps(gather(sample_catalog, at=T0).to_dict()))
    assert set(data) >= {"forecast", "heatmap", "retention", "chapters", "domains", "counts"}
    assert data["heatmap"] == {"2026-01-05": 1}


def test_a_catalog_too_big_for_id_lookups_gives_the_same_mastery(sample_catalog):
    """Above 20k questions the cards are read in one scan; cards of questions gone from the catalog don't count."""
    from types import SimpleNamespace

    sch.record_answer("question", "storage-001", sch.GOOD, 100, at=T0)
    sch.record_answer("question", "network-001", sch.AGAIN, 100, at=T0)
    sch.record_answer("question", "removed-from-the-bank", sch.GOOD, 100, at=T0)
    at = T0 + timedelta(days=3)
    small = gather(sample_catalog, at=at)
    filler = SimpleNamespace(lesson="network#subnets", domain={"saa": "secure", "clf": "security"})
    big = SimpleNamespace(
        lessons=sample_catalog.lessons,
        families=sample_catalog.families,
        questions={**sample_catalog.questions, **{f"filler-{n}": filler for n in range(20_000)}},
    )
    large = gather(big, at=at)
    assert small.counts["new"] == len(sample_catalog.questions) - 2
    assert large.counts["new"] == len(big.questions) - 2
    for a, b in zip(small.chapters, large.chapters, strict=True):
        # the same recall summed; the big catalog's network chapter has 20,000 more questions to divide by
        assert (a.id, a.seen) == (b.id, b.seen) and a.mastery * a.total == pytest.approx(b.mastery * b.total)
    assert {m.id: m.total for m in large.chapters}["network"] == {m.id: m.total for m in small.chapters}[
        "network"
    ] + 20_000
