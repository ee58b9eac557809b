"""Driving the app with Pilot: every mode is reachable, help and the palette work."""

from __future__ import annotations

from conftest_helpers import settle
from textual.widgets import DataTable, Markdown, OptionList, Static

from tutor.tui.base import MODE_KEYS


async def test_every_mode_opens_with_its_key(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        # Review last: while it shows a question, letters a-i answer it instead of switching mode
        for mode, key in sorted(MODE_KEYS.items(), key=lambda kv: kv[0] == "review"):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode
            assert type(app.screen).MODE == mode


async def test_home_shows_due_reviews_progress_and_next_step(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        review = str(app.screen.query_one("#tile-review", Static).render())
        assert "0 due today (0 now)" in review and "5 new today · 5 unseen" in review
        assert "0/3 sections read" in str(app.screen.query_one("#tile-lessons", Static).render())
        assert "Read chapter 1: Object storage basics" in str(app.screen.query_one("#next-steps", Static).render())


async def test_home_counts_progress_after_reading(make_app):
    from tutor.store.progress import mark_read

    mark_read("storage", "buckets")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "1/3 sections read" in str(app.screen.query_one("#tile-lessons", Static).render())
        assert "Continue reading Object storage basics" in str(app.screen.query_one("#next-steps", Static).render())


async def test_home_says_what_was_skipped_when_content_is_broken(content_root):
    from tutor.content import load_catalog
    from tutor.tui.app import TutorApp

    path = content_root / "question_bank" / "storage.yaml"
    path.write_text(path.read_text().replace("  answer: A\n", "  answer: Q\n", 1))
    app = TutorApp(catalog=load_catalog([content_root], include_builtin=False))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        text = str(app.screen.query_one("#problems", Static).render())
        assert "1 content problem(s)" in text and "storage.yaml:9" in text


async def test_lessons_mode_lists_chapters_and_opens_one(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        toc = app.screen.query_one("#toc", OptionList)
        assert toc.option_count == 2
        await pilot.press("enter")
        await settle(pilot)
        assert "Object storage basics" in app.screen.query_one("#reader", Markdown).source


async def test_help_lists_the_active_bindings_and_closes(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        table = app.screen.query_one("#help-keys", DataTable)
        actions = {table.get_row_at(i)[1] for i in range(table.row_count)}
        assert {"Home", "Lessons", "Labs", "Review", "Exam", "Stats", "Quit"} <= actions
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "home" and not app.screen.query("#help-keys")
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query("#help-keys")


async def test_palette_jumps_to_a_lesson(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Lesson: Networks")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "lessons"
        assert "# Networks" in app.screen.query_one("#reader", Markdown).source


async def test_empty_screens_say_what_to_do_next(tmp_path):
    from tutor.content import Catalog
    from tutor.tui.app import TutorApp

    app = TutorApp(catalog=Catalog(roots=[]))
    async with app.run_test(size=(120, 36)) as pilot:
        for key, expected in [
            ("l", "No lessons"),
            ("b", "No labs"),
            ("r", "No questions are installed yet"),
            ("e", "No exam profiles"),
            ("s", "No statistics"),
        ]:
            await pilot.press(key)
            await settle(pilot)
            assert expected in str(app.screen.query_one(".empty", Static).render())


async def test_the_app_can_open_on_another_mode(sample_catalog):
    """The app can open on a mode other than Home, as `tutor exam start` opens it on Exam."""
    from tutor.tui.app import TutorApp

    app = TutorApp(catalog=sample_catalog, mode="exam")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.current_mode == "exam"
        assert type(app.screen).__name__ == "ExamScreen"


async def test_exam_start_goes_straight_into_the_attempt_it_created(sample_catalog):
    from tutor.exam.session import ExamSession
    from tutor.tui.app import TutorApp
    from tutor.tui.screens.exam_sitting import ExamSittingScreen

    profile_id = next(iter(sample_catalog.exams))
    # mocks draw only in-syllabus choice questions, and the fixture bank has two of them
    sample_catalog.exams[profile_id] = sample_catalog.exams[profile_id].model_copy(update={"questions": 2})
    created = ExamSession.start(sample_catalog, profile_id, mode="exam", seed=7)
    app = TutorApp(catalog=sample_catalog, mode="exam", resume_exam=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ExamSittingScreen)
        assert app.screen.session.attempt_id == created.attempt_id


async def test_footer_shows_the_screens_keys_on_the_first_visit(make_app):
    """Each mode's footer lists its keys the first time it opens (it used to stay blank until a later visit)."""
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for mode, key in sorted(MODE_KEYS.items(), key=lambda kv: kv[0] == "review"):
            if mode != "home":
                await pilot.press(key)
                await settle(pilot)
            labels = [k.description for k in app.screen.query_one(Footer).query(FooterKey)]
            assert "Help" in labels and "Quit" in labels, (mode, labels)
            # the mode keys live in the navigation bar; repeating them cut the footer off at 120 columns
            assert not {"Home", "Lessons", "Labs", "Exam", "Stats"} & set(labels), (mode, labels)
            assert sum(len(label) + 4 for label in labels) < 120 - 12, (mode, labels)


async def test_help_lists_each_action_once_without_textual_noise(make_app):
    from tutor.tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.rows()
        places = [(description, where) for _, description, where in rows]
        assert len(places) == len(set(places)), places
        assert [d for d, _ in places].count("Help") == 1
        shown = " ".join(" ".join(keys) + " " + description for keys, description, _ in rows)
        for noise in ("super", "Scroll", "Focus Next", "Copy selected text"):
            assert noise not in shown, shown
        assert rows[0][2] == "Lessons" and rows[-1][2] == "everywhere"  # the screen's own keys first
