"""The Review and Stats screens driven with Pilot on the sample content."""

from __future__ import annotations

import sqlite3

from conftest_helpers import settle
from textual.widgets import Static

from tutor import paths

SIZE = (120, 40)


def logs() -> list[tuple]:
    with sqlite3.connect(paths.home() / "tutor.db") as conn:
        return conn.execute(
            "SELECT c.item_id, l.rating FROM review_log l JOIN card c ON c.id = l.card_id ORDER BY l.id"
        ).fetchall()


def text(app, wid: str) -> str:
    return str(app.screen.query_one(wid, Static).render())


async def open_review(pilot):
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)
    return pilot.app.screen


async def test_review_asks_each_kind_of_question_and_records_every_answer(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        assert screen.phase == "question"
        assert "5 to go (0 due · 5 new)" in text(app, "#rv-header")
        assert screen.session.current.question.id == "storage-001"

        # single: one key answers; the letter is the shown (shuffled) one
        await pilot.press(screen.session.current.shown_letter("A").lower())
        await settle(pilot)
        assert screen.phase == "answer"
        assert "Correct" in text(app, "#rv-verdict")
        assert "Recorded as Good" in text(app, "#rv-recorded")
        assert logs() == [("storage-001", 3)]
        await pilot.press("space")
        await settle(pilot)

        # multi: toggle two, then enter
        p = screen.session.current
        assert p.question.id == "storage-002"
        await pilot.press(p.shown_letter("A").lower(), p.shown_letter("C").lower(), "enter")
        await settle(pilot)
        assert "Not quite" in text(app, "#rv-verdict")
        # right and wrong are marked in words as well as colour
        options = {line.split("  ", 1)[1].split("  ")[0]: line for line in text(app, "#rv-options").splitlines()}
        assert options["It keeps previous versions of an object"].endswith("✓")
        assert options["It can be suspended after being enabled"].endswith("✓")
        assert options["It can be fully disabled after being enabled"].endswith("✗ your answer")
        assert not options["It is on by default"].endswith(("✓", "✗ your answer"))
        assert logs()[-1] == ("storage-002", 1)
        await pilot.press("space")
        await settle(pilot)

        # true/false
        await pilot.press("f")
        await settle(pilot)
        assert logs()[-1] == ("storage-003", 3)
        await pilot.press("enter")
        await settle(pilot)

        # numeric: typed into an input
        assert screen.session.current.question.id == "network-001"
        await pilot.press("2", "5", "6", "enter")
        await settle(pilot)
        assert logs()[-1] == ("network-001", 3)
        await pilot.press("space")
        await settle(pilot)

        # order: the letters in order (the last one submits)
        await pilot.press("b", "a", "c")
        await settle(pilot)
        assert logs()[-1] == ("network-002", 3)
        assert "5 answered, 4 right" in text(app, "#rv-header")


async def test_override_rating_and_undo(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        await pilot.press(screen.session.current.shown_letter("A").lower())
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert "Recorded as Easy" in text(app, "#rv-recorded")
        assert logs() == [("storage-001", 4)]
        await pilot.press("2")
        await settle(pilot)
        assert logs() == [("storage-001", 2)]
        await pilot.press("u")
        await settle(pilot)
        assert logs() == []
        assert screen.phase == "question" and screen.session.current.question.id == "storage-001"
        # undo from the next question goes back to the previous one
        await pilot.press(screen.session.current.shown_letter("B").lower(), "space")
        await settle(pilot)
        assert screen.session.current.question.id == "storage-002"
        await pilot.press("u")
        await settle(pilot)
        assert logs() == [] and screen.session.current.question.id == "storage-001"


async def test_after_an_answer_o_opens_the_lesson_section_and_b_the_lab(make_app, monkeypatch):
    app = make_app()
    opened = []
    monkeypatch.setattr(type(app), "open_lesson", lambda self, lesson, anchor=None: opened.append((lesson, anchor)))
    monkeypatch.setattr(type(app), "open_lab", lambda self, lab: opened.append(lab))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert "Object storage basics › Buckets" in text(app, "#rv-links")
        await pilot.press("o")
        await pilot.press("b")  # no lab on this question: b falls through to the Labs mode
        await settle(pilot)
        assert opened == [("storage", "buckets")]
        assert screen.phase == "answer"


async def test_option_keys_shadow_mode_keys_only_during_a_question(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        await pilot.press("e")  # a 5th option does not exist: ignored, not a switch to Exam
        await settle(pilot)
        assert app.screen is screen and screen.phase == "question"
        await pilot.press("escape")
        await settle(pilot)
        assert "Session paused" in str(screen.query_one("#rv-empty").render())
        await pilot.press("e")
        await settle(pilot)
        assert app.current_mode == "exam"


async def test_practise_this_starts_a_session_on_one_section(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.start_review("storage#versioning")
        await settle(pilot)
        screen = app.screen
        assert [i.item_id for i in screen.session.queue.items] == ["storage-002", "storage-003"]
        assert "Practise storage#versioning" in text(app, "#rv-header")


async def test_when_nothing_is_left_the_screen_says_what_to_do_next(make_app):
    from tutor.srs.config import save_settings

    save_settings(daily_new=0)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        assert screen.phase == "done"
        message = str(screen.query_one("#rv-empty").render())
        assert "Nothing to review right now" in message
        assert "tutor review settings --new" in message


async def test_stats_screen_shows_empty_state_then_figures(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert "No statistics yet" in str(app.screen.query_one("#stats-empty").render())
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(app.screen.session.current.shown_letter("A").lower())
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.screen.query_one("#stats-main").display
        assert "1 today" in text(app, "#st-summary")
        assert "Object storage basics" in text(app, "#st-chapters")
        assert "Mastery by SAA domain" in text(app, "#st-domains")
