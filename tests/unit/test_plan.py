"""A study plan bends today's queue toward the exam date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tutor.content import load_catalog
from tutor.srs.clock import to_db
from tutor.srs.plan import clear_plan, days_left, get_plan, set_plan, today_plan
from tutor.srs.queue import build_queue
from tutor.store.db import get_engine


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def add_card(item_id: str, stability: float, last_review_days_ago: float, due_in_days: float) -> None:
    with get_engine().begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO card (kind, item_id, state, stability, difficulty, due, last_review, lapses, retired, "
            "created_at) VALUES ('question', ?, 2, ?, 5.0, ?, ?, 0, 0, ?)",
            (
                item_id,
                stability,
                to_db(NOW + timedelta(days=due_in_days)),
                to_db(NOW - timedelta(days=last_review_days_ago)),
                to_db(NOW - timedelta(days=60)),
            ),
        )


def queued(catalog) -> list:
    return build_queue(catalog, at=NOW).items


def test_plan_is_stored_and_cleared():
    set_plan(date(2026, 12, 2), "saa-c03")
    assert get_plan().exam_date == date(2026, 12, 2)
    assert days_left(get_plan(), NOW) == 10
    clear_plan()
    assert get_plan() is None


def test_a_card_that_would_be_forgotten_by_the_exam_is_reviewed_before_it(catalog):
    add_card("s3-001", stability=3.0, last_review_days_ago=1, due_in_days=30)  # weak, next due long after
    add_card("s3-002", stability=400.0, last_review_days_ago=1, due_in_days=30)  # strong: safe on exam day
    assert "s3-001" not in {i.item_id for i in queued(catalog)}
    set_plan(date(2026, 11, 27), "saa-c03")  # 5 days: recall of a 3-day card drops below 0.9 by then
    ids = {i.item_id for i in queued(catalog)}
    assert "s3-001" in ids
    assert "s3-002" not in ids


def test_new_cards_are_paced_to_cover_the_bank_before_the_exam(catalog):
    without = sum(1 for i in queued(catalog) if i.state == 0)
    set_plan(date(2026, 12, 2), "saa-c03")  # 10 days: 7 learning days for ~530 questions
    with_plan = sum(1 for i in queued(catalog) if i.state == 0)
    assert without == 20
    assert with_plan == 60  # capped at three times the daily limit


def test_new_cards_come_from_the_weakest_domain_first(catalog):
    secure = [q.id for q in catalog.questions.values() if q.domain["saa"] == "secure"][:40]
    for qid in secure:
        add_card(qid, stability=200.0, last_review_days_ago=1, due_in_days=100)
    set_plan(date(2026, 12, 2), "saa-c03")
    new = [i.item_id for i in queued(catalog) if i.state == 0]
    assert new and all(catalog.questions[q].domain["saa"] != "secure" for q in new)


def test_today_plan_reports_days_reviews_new_cards_and_a_lab(catalog):
    set_plan(date.today() + timedelta(days=30), "saa-c03")
    plan = today_plan(catalog)
    assert plan.days_left in (29, 30, 31)
    assert plan.new >= 20 and plan.reviews == 0
    assert plan.lab_id in catalog.labs
    assert len(plan.weakest) == 2
