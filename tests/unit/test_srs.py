"""Scheduling: rating mapping, the day boundary, the queue order, undo and re-rating, lapses, retirement."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tutor.srs import ReviewError
from tutor.srs import scheduler as sch
from tutor.srs.clock import day_start, study_day, to_db, today_bounds
from tutor.srs.config import load_settings, save_settings
from tutor.srs.present import ResponseError, key_to_letter, parse, present
from tutor.srs.queue import build_queue

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def db(tutor_home):
    return sqlite3.connect(tutor_home / "tutor.db")


# -- rating mapping -----------------------------------------------------------------------


def test_a_wrong_answer_rates_again_and_a_right_one_good():
    assert sch.rating_for(False) == sch.AGAIN
    assert sch.rating_for(True) == sch.GOOD


def test_the_first_answer_creates_a_card_whose_id_is_the_fsrs_card_id(tutor_home):
    rec = sch.record_answer("question", "q1", sch.GOOD, 4200, at=T0)
    assert rec.created and rec.state == 1  # fsrs Learning
    row = db(tutor_home).execute("SELECT id, kind, item_id, state FROM card").fetchone()
    assert row == (rec.card_id, "question", "q1", 1)
    log = db(tutor_home).execute("SELECT card_id, rating, duration_ms, state_before, source FROM review_log").fetchone()
    assert log == (rec.card_id, 3, 4200, 0, "review")


def test_ratings_order_the_next_interval_again_hard_good_easy():
    due = {}
    for rating in (sch.AGAIN, sch.HARD, sch.GOOD, sch.EASY):
        due[rating] = sch.record_answer("question", f"q{rating}", rating, 1000, at=T0).due
    assert due[sch.AGAIN] < due[sch.HARD] < due[sch.GOOD] < due[sch.EASY]


def test_an_invalid_rating_is_refused():
    with pytest.raises(ReviewError):
        sch.record_answer("question", "q", 5, 100, at=T0)


def test_lapses_count_again_on_review_cards_only():
    sch.record_answer("question", "q", sch.EASY, 100, at=T0)  # straight to Review
    rec = sch.record_answer("question", "q", sch.AGAIN, 100, at=T0 + timedelta(days=9))
    assert rec.state == 3  # Relearning
    with sqlite3.connect(load_path()) as conn:
        assert conn.execute("SELECT lapses FROM card").fetchone() == (1,)


def load_path():
    from tutor import paths

    return paths.home() / "tutor.db"


# -- day boundary --------------------------------------------------------------------------


def test_before_the_boundary_hour_it_is_still_yesterday():
    paris = ZoneInfo("Europe/Paris")
    at = datetime(2026, 3, 10, 3, 30, tzinfo=paris)
    assert study_day(at, 4, paris).isoformat() == "2026-03-09"
    assert study_day(at.replace(hour=4, minute=0), 4, paris).isoformat() == "2026-03-10"
    assert study_day(at, 0, paris).isoformat() == "2026-03-10"


def test_the_study_day_is_local_although_times_are_utc():
    tokyo = timezone(timedelta(hours=9))
    at = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)  # 05:00 on the 11th in Tokyo
    assert study_day(at, 4, tokyo).isoformat() == "2026-03-11"
    _day, start, end = today_bounds(at, 4, tokyo)
    assert start == datetime(2026, 3, 10, 19, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)


def test_a_day_across_a_dst_change_is_23_hours():
    paris = ZoneInfo("Europe/Paris")
    start = day_start(datetime(2026, 3, 28).date(), 4, paris)  # clocks go forward on the 29th at 02:00
    end = day_start(datetime(2026, 3, 29).date(), 4, paris)
    assert end - start == timedelta(hours=23)


def test_the_daily_new_limit_resets_at_the_boundary(sample_catalog, monkeypatch):
    save_settings(daily_new=2, day_starts_hour=4)
    tz = UTC
    monkeypatch.setattr("tutor.srs.queue.today_bounds", lambda at, hour: today_bounds(at, hour, tz))
    evening = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
    for item in build_queue(sample_catalog, at=evening).items:
        sch.record_answer(item.kind, item.item_id, sch.GOOD, 100, at=evening)
    late = datetime(2026, 3, 11, 3, 59, tzinfo=UTC)  # still the 10th's study day
    assert [i for i in build_queue(sample_catalog, at=late).items if i.state == sch.NEW] == []
    morning = datetime(2026, 3, 11, 4, 1, tzinfo=UTC)
    assert len([i for i in build_queue(sample_catalog, at=morning).items if i.state == sch.NEW]) == 2


# -- queue order ---------------------------------------------------------------------------


def test_due_cards_come_first_most_overdue_first_then_new_cards(sample_catalog):
    sch.record_answer("question", "storage-003", sch.GOOD, 100, at=T0 - timedelta(days=3))
    sch.record_answer("question", "network-001", sch.GOOD, 100, at=T0 - timedelta(days=5))
    queue = build_queue(sample_catalog, at=T0)
    kinds = [(i.item_id, i.state) for i in queue.items]
    assert kinds[:2] == [("network-001", 1), ("storage-003", 1)]
    assert [i for i, s in kinds[2:]] == ["storage-001", "storage-002", "network-002"]  # chapter order
    assert all(s == sch.NEW for _, s in kinds[2:])


def test_new_cards_stop_at_the_daily_limit_and_reviews_at_the_daily_maximum(sample_catalog):
    save_settings(daily_new=1, max_reviews=1)
    for qid in ("storage-003", "network-001"):
        sch.record_answer("question", qid, sch.GOOD, 100, at=T0 - timedelta(days=5), source="exam")
    queue = build_queue(sample_catalog, at=T0)
    assert [i.state for i in queue.items] == [1, sch.NEW]
    assert queue.today.due_now == 2 and queue.today.reviews_left == 1 and queue.today.new_left == 1


def test_sections_read_come_first_among_new_cards(sample_catalog):
    from tutor.store.progress import mark_read

    mark_read("network", "subnets")
    ids = [i.item_id for i in build_queue(sample_catalog, at=T0).items]
    assert ids[:2] == ["network-001", "network-002"]


def test_a_scope_practises_one_section_beyond_the_daily_limit(sample_catalog):
    save_settings(daily_new=0)
    assert build_queue(sample_catalog, at=T0).items == []
    ids = [i.item_id for i in build_queue(sample_catalog, "storage#versioning", at=T0).items]
    assert ids == ["storage-002", "storage-003"]


def test_the_due_query_is_an_index_range_scan(tutor_home):
    sch.record_answer("question", "q", sch.GOOD, 100, at=T0)
    plan = db(tutor_home).execute("EXPLAIN QUERY PLAN " + sch.DUE_SQL, (to_db(T0), 50)).fetchall()
    detail = " ".join(r[-1] for r in plan)
    assert "USING INDEX ix_card_queue" in detail and "TEMP B-TREE" not in detail


def test_due_cards_returns_the_next_due_in_order():
    for n in range(5):
        sch.record_answer("question", f"q{n}", sch.AGAIN, 100, at=T0 + timedelta(minutes=n))
    due = sch.due_cards(3, at=T0 + timedelta(hours=1))
    assert [d.item_id for d in due] == ["q0", "q1", "q2"]


# -- undo, re-rating, lapses, retirement -----------------------------------------------------


def card_row(item="q"):
    with sqlite3.connect(load_path()) as conn:
        return conn.execute(
            "SELECT id, state, step, stability, difficulty, due, last_review, lapses FROM card WHERE item_id = ?",
            (item,),
        ).fetchone()


def test_undo_restores_the_card_exactly_and_deletes_the_log():
    sch.record_answer("question", "q", sch.GOOD, 100, at=T0)
    before = card_row()
    rec = sch.record_answer("question", "q", sch.AGAIN, 100, at=T0 + timedelta(minutes=20))
    assert card_row() != before
    sch.undo(rec.log_id)
    assert card_row() == before
    with sqlite3.connect(load_path()) as conn:
        assert conn.execute("SELECT count(*) FROM review_log").fetchone() == (1,)
        assert conn.execute("SELECT reviews FROM review_day").fetchone() == (1,)


def test_undoing_a_first_answer_makes_the_card_new_again():
    rec = sch.record_answer("question", "q", sch.GOOD, 100, at=T0)
    sch.undo(rec.log_id)
    assert card_row() is None


def test_only_the_latest_answer_of_a_card_can_be_undone():
    first = sch.record_answer("question", "q", sch.GOOD, 100, at=T0)
    sch.record_answer("question", "q", sch.GOOD, 100, at=T0 + timedelta(minutes=15))
    with pytest.raises(ReviewError):
        sch.undo(first.log_id)


def test_rerating_keeps_the_card_id_and_replaces_the_rating():
    rec = sch.record_answer("question", "q", sch.GOOD, 100, at=T0)
    easy = sch.rerate(rec.log_id, sch.EASY)
    assert easy.card_id == rec.card_id and easy.rating == sch.EASY and easy.due > rec.due
    with sqlite3.connect(load_path()) as conn:
        assert conn.execute("SELECT rating FROM review_log").fetchall() == [(4,)]


def test_lapse_fails_cards_not_yet_due_and_ignores_unknown_ones():
    sch.record_answer("question", "known", sch.EASY, 100, at=T0)
    sch.record_answer("question", "due-now", sch.AGAIN, 100, at=T0)
    lapsed = sch.lapse(["known", "due-now", "never-seen"], source="lab", at=T0 + timedelta(days=1))
    assert lapsed == [card_row("known")[0]]
    assert card_row("known")[1] == 3 and card_row("known")[7] == 1  # relearning, one lapse
    assert card_row("never-seen") is None
    with sqlite3.connect(load_path()) as conn:
        assert conn.execute("SELECT source FROM review_log ORDER BY id DESC LIMIT 1").fetchone() == ("lab",)
    created = sch.lapse(["never-seen"], source="exam", at=T0 + timedelta(days=1), create=True)
    assert created == [card_row("never-seen")[0]] and card_row("never-seen")[1] == 1  # learning, due soon


def test_cards_of_removed_content_are_retired_and_revived_never_deleted():
    for q in ("a", "b"):
        sch.record_answer("question", q, sch.AGAIN, 100, at=T0)
    assert sch.retire_missing("question", ["a"]) == (1, 0)
    assert [d.item_id for d in sch.due_cards(at=T0 + timedelta(hours=1))] == ["a"]
    assert sch.retire_missing("question", ["a", "b"]) == (0, 1)
    with sqlite3.connect(load_path()) as conn:
        assert conn.execute("SELECT count(*) FROM review_log").fetchone() == (2,)


def test_retrievability_matches_the_fsrs_package():
    from fsrs import Card, Scheduler, State

    sch.record_answer("question", "q", sch.EASY, 100, at=T0)
    at = T0 + timedelta(days=17, hours=5)
    r = sch.retrievabilities(at)["q"]
    _id, state, step, s, d, due, last, _l = card_row()
    card = Card(
        card_id=1,
        state=State(state),
        step=step,
        stability=s,
        difficulty=d,
        due=datetime.fromisoformat(due).replace(tzinfo=UTC),
        last_review=datetime.fromisoformat(last).replace(tzinfo=UTC),
    )
    assert r == pytest.approx(Scheduler().get_card_retrievability(card, at), rel=1e-9)


# -- settings and presentation ---------------------------------------------------------------


def test_settings_default_and_validate():
    s = load_settings()
    assert (s.desired_retention, s.daily_new, s.max_reviews, s.day_starts_hour) == (0.9, 20, 200, 4)
    assert save_settings(desired_retention=0.85).desired_retention == 0.85
    with pytest.raises(ReviewError):
        save_settings(desired_retention=1.5)
    assert load_settings().desired_retention == 0.85


def test_desired_retention_changes_the_interval():
    long = sch.record_answer("question", "a", sch.EASY, 100, at=T0).interval_days
    save_settings(desired_retention=0.97)
    short = sch.record_answer("question", "b", sch.EASY, 100, at=T0).interval_days
    assert short < long


def test_shuffled_letters_map_back_to_the_authors_letters(sample_catalog):
    q = sample_catalog.questions["storage-001"]
    p = present(q, "2026-03-10")
    assert sorted(p.order) == [0, 1, 2, 3]
    right = p.shown_letter("A")
    assert p.is_correct(right) and not p.is_correct("A" if right != "A" else "B")
    assert present(q, "2026-03-10").order == p.order  # deterministic per card and day


def test_typed_responses_parse_per_question_type(sample_catalog):
    qs = sample_catalog.questions
    assert parse(present(qs["storage-003"]), "f") is False
    assert parse(present(qs["network-001"]), "256") == 256.0
    assert parse(present(qs["network-002"]), "bac") == ["B", "A", "C"]
    multi = present(qs["storage-002"])
    assert parse(multi, "1 3") == ["A", "C"]
    with pytest.raises(ResponseError):
        parse(multi, "a")
    assert key_to_letter("2", 4) == "B" and key_to_letter("e", 4) is None
