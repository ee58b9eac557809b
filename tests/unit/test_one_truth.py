"""One truth: Home, Review, Stats, the plan and the CLI take "due today" and mastery from the same engine functions."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from tutor import paths
from tutor.srs import scheduler as sch
from tutor.srs.clock import to_db, today_bounds, utcnow

runner = CliRunner()


@pytest.fixture
def catalog(content_root, monkeypatch):
    monkeypatch.setenv("TUTOR_CONTENT_PATH", str(content_root))
    from tutor.content import load_catalog

    return load_catalog()


def _set_due(item_id: str, due, retired: bool = False) -> None:
    with sqlite3.connect(paths.home() / "tutor.db") as conn:
        conn.execute("UPDATE card SET due = ?, retired = ? WHERE item_id = ?", (to_db(due), int(retired), item_id))


def _collection() -> None:
    """One card due now, one due later today, one due tomorrow, one retired, and a drill card due now."""
    now = utcnow()
    _, _, end = today_bounds(now)
    for item in ("storage-001", "storage-002", "network-001", "removed-question"):
        sch.record_answer("question", item, sch.GOOD, 1000, at=now - timedelta(hours=1))
    sch.record_answer("drill", "some-drill", sch.GOOD, 1000, at=now - timedelta(hours=1))
    _set_due("storage-001", now - timedelta(minutes=30))
    _set_due("storage-002", max(now + timedelta(seconds=30), end - timedelta(minutes=1)))
    _set_due("network-001", end + timedelta(hours=1))
    _set_due("removed-question", now - timedelta(minutes=30), retired=True)
    _set_due("some-drill", now - timedelta(minutes=30))


def test_every_screen_and_command_counts_the_same_cards_due_today(catalog):
    from tutor.cli.commands import app
    from tutor.srs.plan import set_plan, today_plan
    from tutor.srs.queue import load_today
    from tutor.srs.session import ReviewSession
    from tutor.srs.stats import gather
    from tutor.tui.screens.home import gather as home_data

    _collection()
    today = load_today(catalog)
    assert (today.due_now, today.due_today) == (1, 2)  # not the retired card, not the drill, not tomorrow's

    stats = gather(catalog)
    assert stats.counts["due_today"] == stats.forecast[0] == today.due_today
    assert home_data(catalog).today == today

    session = ReviewSession(catalog)
    session.load()
    new_in_queue = sum(1 for i in session.queue.items if i.state == sch.NEW)
    assert session.to_go() == today.due_today + new_in_queue == today.reviews_left + today.new_left

    stats_json = json.loads(runner.invoke(app, ["stats", "--json"]).output)
    assert stats_json["counts"]["due_today"] == today.due_today
    review_out = runner.invoke(app, ["review"], input="q\n").output
    assert f": {today.reviews_left} due, {today.new_left} new today" in review_out

    set_plan(date.today() + timedelta(days=60), "saa-c03")
    plan = today_plan(catalog)
    assert plan is not None and plan.reviews == today.reviews_left
    plan_json = json.loads(runner.invoke(app, ["plan", "--json"]).output)
    assert plan_json["reviews_today"] == today.reviews_left


def test_to_go_does_not_jump_back_up_when_a_learning_card_returns(catalog):
    from tutor.srs.session import ReviewSession

    session = ReviewSession(catalog, scope=None)
    session.load()
    before = session.to_go()
    assert before > 1
    session.answer(_wrong(session), 1000)  # Again: comes back today
    session.refresh_today()
    # the card just answered is still to go (it returns in a minute), the new card it was is not counted twice
    assert session.to_go(current_answered=True) == before


def _wrong(session):
    """A response that is surely wrong for the current question."""
    p = session.current
    for letters in ("A", "B", "C", "D"):
        if not p.is_correct(letters):
            return letters
    raise AssertionError("no wrong option")


def test_mastery_is_one_definition_and_a_handful_of_cards_never_make_100_percent(catalog):
    from tutor.srs.plan import domain_mastery, set_plan
    from tutor.srs.stats import gather

    now = utcnow()
    for item in ("storage-001", "storage-002"):
        sch.record_answer("question", item, sch.EASY, 1000, at=now)
    stats = gather(catalog, at=now)
    storage = {m.id: m for m in stats.chapters}["storage"]
    assert storage.seen == 2 and storage.total > 2
    assert 0 < storage.mastery <= storage.seen / storage.total  # unseen questions count as 0

    plan = set_plan(date.today() + timedelta(days=30), "saa-c03")
    from_stats = {m.id: m.mastery for m in stats.domains["saa"]}
    assert domain_mastery(catalog, plan, now) == pytest.approx(
        {d: from_stats[d] for d in domain_mastery(catalog, plan, now)}
    )


def test_a_card_just_failed_counts_for_less_than_one_just_known(catalog):
    from tutor.srs.stats import gather

    now = utcnow()
    sch.record_answer("question", "storage-001", sch.AGAIN, 1000, at=now)
    failed = {m.id: m for m in gather(catalog, at=now).chapters}["storage"].mastery
    sch.record_answer("question", "storage-002", sch.EASY, 1000, at=now)
    both = {m.id: m for m in gather(catalog, at=now).chapters}["storage"].mastery
    assert both - failed > failed  # the known card adds more than the failed one gave
