"""The lesson reader, driven with Pilot: anchors, reading progress, positions, links, search, glossary, practise."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest_helpers import settle
from textual.widgets import Input, Markdown, OptionList, Static

from tutor.content import load_catalog
from tutor.tui.app import TutorApp

SIZE = (120, 36)

LONG_LESSON = """\
---
id: long
title: A long chapter
summary: Sections taller than the screen.
objectives:
  - Scroll
---

## First long section {#first}

{body}

::: takeaways
- Scrolling counts.
:::

## Second long section {#second}

{body}

::: mistakes
- Jumping is not reading.
:::

## Third long section {#third}

{body}
"""


def long_root(content_root: Path) -> Path:
    body = "\n\n".join(f"Paragraph {i} of a section that is much taller than the reader." for i in range(40))
    (content_root / "lessons" / "03-long.md").write_text(LONG_LESSON.replace("{body}", body))
    return content_root


def app_for(root: Path) -> TutorApp:
    catalog = load_catalog([root], include_builtin=False)
    assert catalog.problems == [], catalog.problems
    return TutorApp(catalog=catalog)


async def open_reader(pilot, lesson_id: str | None = None, anchor: str | None = None):
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)
    screen = pilot.app.screen
    if lesson_id:
        screen.open_lesson(lesson_id, anchor)
        await settle(pilot)
    return screen


async def flush_progress(pilot) -> None:
    """Progress is written after a short quiet period, in a worker."""
    await pilot.pause(0.5)
    await settle(pilot)


def read_in_store() -> dict[str, set[str]]:
    from tutor.store.progress import read_sections

    return read_sections()


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def review(self, scope=None) -> None:
        self.calls.append(("review", scope))

    def lab(self, lab_id) -> None:
        self.calls.append(("lab", lab_id))


def record_practice(app) -> Recorder:
    rec = Recorder()
    app.start_review = rec.review
    app.open_lab = rec.lab
    return rec


# ---------------------------------------------------------------- opening and reading


async def test_opens_at_the_requested_section_without_marking_it_read(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot, "storage", "versioning")
        reader = screen.query_one("#reader", Markdown)
        assert reader.source.startswith("## Versioning")
        assert screen._current_anchor() == "versioning"
        assert "§ 2/2 Versioning" in str(screen.query_one("#lesson-status", Static).render())
        await flush_progress(pilot)
    assert read_in_store() == {}


async def test_moving_past_a_section_marks_it_read_and_updates_the_contents(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot, "storage")
        assert screen._current == -1  # the chapter's introduction
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen._current_anchor() == "buckets"
        await flush_progress(pilot)
        assert read_in_store() == {}, "arriving at a section is not reading it"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen._current_anchor() == "versioning"
        await flush_progress(pilot)
        assert read_in_store() == {"storage": {"buckets"}}
        toc = screen.query_one("#toc", OptionList)
        prompts = [str(toc.get_option_at_index(i).prompt) for i in range(toc.option_count)]
        assert any("Object storage basics" in p and "1/2" in p for p in prompts)
        assert any("✓" in p and "Buckets" in p for p in prompts)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen._current_anchor() == "buckets"
        await flush_progress(pilot)
        assert read_in_store() == {"storage": {"buckets"}}, "going back reads nothing"


async def test_scrolling_to_the_bottom_of_a_section_marks_it_read(content_root):
    app = app_for(long_root(content_root))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot, "long", "first")
        reader = screen.query_one("#reader")
        assert reader.max_scroll_y > 0
        await pilot.press("pagedown")
        await settle(pilot)
        await flush_progress(pilot)
        assert read_in_store() == {}, "half-way through is not read"
        while reader.scroll_y < reader.max_scroll_y:
            await pilot.press("pagedown")
            await pilot.pause()
        await flush_progress(pilot)
        assert read_in_store() == {"long": {"first"}}
        assert screen._current_anchor() == "first"
        await pilot.press("space")  # Space at the bottom moves on
        await settle(pilot)
        assert screen._current_anchor() == "second"


async def test_a_jump_to_the_end_is_not_reading(content_root):
    app = app_for(long_root(content_root))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot, "long", "second")
        await pilot.press("end")
        await settle(pilot)
        await flush_progress(pilot)
        assert read_in_store() == {}
        assert screen.query_one("#reader").scroll_y > 0


async def test_reopening_returns_to_where_the_learner_stopped_across_restarts(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot, "storage")
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert screen._current_anchor() == "versioning"
        await flush_progress(pilot)

    from tutor.store.progress import last_position, position

    assert position("storage") == "versioning" and last_position() == ("storage", "versioning")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot)  # Lessons mode continues the last chapter by itself
        assert screen._lesson.id == "storage" and screen._current_anchor() == "versioning"
        assert screen.query_one("#reader", Markdown).source.startswith("## Versioning")
        screen.open_lesson("network")
        await settle(pilot)
        screen.open_lesson("storage")  # no anchor: where the learner stopped
        await settle(pilot)
        assert screen._current_anchor() == "versioning"


async def test_a_lesson_link_opens_its_section_and_backspace_returns(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot, "storage", "buckets")
        reader = screen.query_one("#reader", Markdown)
        assert "(lesson:storage#versioning)" in reader.source  # rendered as a link
        reader.post_message(Markdown.LinkClicked(reader, "lesson:network#subnets"))
        await settle(pilot)
        assert (screen._lesson.id, screen._current_anchor()) == ("network", "subnets")
        assert reader.source.startswith("## Subnets")
        await pilot.press("backspace")
        await settle(pilot)
        assert (screen._lesson.id, screen._current_anchor()) == ("storage", "buckets")


async def test_back_walks_the_real_history_through_search_and_glossary(make_app):
    """Read buckets, search "subn" and open Subnets, open the glossary, Back: Subnets (where you were), not buckets."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot, "storage", "buckets")
        await pilot.press("slash")
        await pilot.press(*"subn")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert (screen._lesson.id, screen._current_anchor()) == ("network", "subnets")
        await pilot.press("g")
        await settle(pilot)
        assert screen.query_one("#lessons-switcher").current == "glossary"
        await pilot.press("backspace")
        await settle(pilot)
        assert screen.query_one("#lessons-switcher").current == "reader"
        assert (screen._lesson.id, screen._current_anchor()) == ("network", "subnets")
        await pilot.press("backspace")  # and once more: back to where the search was made
        await settle(pilot)
        assert (screen._lesson.id, screen._current_anchor()) == ("storage", "buckets")


async def test_clicking_a_link_in_the_text_follows_it(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot, "storage", "buckets")
        reader = screen.query_one("#reader", Markdown)
        paragraph = next(b for b in reader.query("MarkdownParagraph") if "container for objects" in str(b._content))
        text = str(paragraph._content)
        await pilot.click(paragraph, offset=(text.index("versioning") + 1, 0))
        await settle(pilot)
        assert (screen._lesson.id, screen._current_anchor()) == ("storage", "versioning")


async def test_the_footer_links_the_chapters_labs_and_questions(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot, "storage", "versioning")
        source = screen.query_one("#reader", Markdown).source
        assert "[Turn on versioning](lab:versioned-bucket)" in source
        assert "(review:storage)" in source and "all 3 review questions" in source
        assert "[2 questions](review:storage#versioning)" in source
        rec = record_practice(app)
        reader = screen.query_one("#reader", Markdown)
        reader.post_message(Markdown.LinkClicked(reader, "lab:versioned-bucket"))
        await settle(pilot)
        assert rec.calls == [("lab", "versioned-bucket")]


# ---------------------------------------------------------------- search and glossary


async def test_search_shows_results_as_you_type_and_enter_jumps(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot, "storage")
        await pilot.press("slash")
        await pilot.press(*"subn")
        await settle(pilot)
        results = screen.query_one("#search-results", OptionList)
        assert results.option_count >= 1
        assert "Subnets" in str(results.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await settle(pilot)
        assert (screen._lesson.id, screen._current_anchor()) == ("network", "subnets")
        assert screen.query_one("#lessons-switcher").current == "reader"
        assert not screen.query_one("#lesson-search").display


async def test_typing_in_the_search_box_triggers_no_keys(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot, "storage", "buckets")
        rec = record_practice(app)
        await pilot.press("slash")
        await pilot.press(*"pg[]nhlbrsq/")
        await settle(pilot)
        assert screen.query_one("#lesson-search", Input).value == "pg[]nhlbrsq/"
        assert app.current_mode == "lessons" and rec.calls == []
        assert screen._current_anchor() == "buckets"
        await pilot.press("escape")
        await settle(pilot)
        assert screen.query_one("#lessons-switcher").current == "reader"
        assert screen.query_one("#reader").has_focus


async def test_arrows_in_the_search_box_move_through_the_results(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot)
        await pilot.press("slash", *"object")
        await settle(pilot)
        results = screen.query_one("#search-results", OptionList)
        assert results.option_count >= 2 and results.highlighted == 0
        await pilot.press("down", "down", "up")  # typed fast, as in a real terminal
        assert results.highlighted == 1 and screen.query_one("#lesson-search").has_focus
        chosen = screen._hits[1]
        await pilot.press("enter")
        await settle(pilot)
        assert (screen._lesson.id, screen._current_anchor()) == (chosen.lesson_id, chosen.anchor)


async def test_the_glossary_lists_terms_and_jumps_to_their_section(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot, "network", "subnets")
        await pilot.press("g")
        await settle(pilot)
        glossary = screen.query_one("#glossary", OptionList)
        assert glossary.has_focus and glossary.option_count == 1
        prompt = str(glossary.get_option_at_index(0).prompt)
        assert "Bucket" in prompt and "A container for objects." in prompt
        await pilot.press("enter")
        await settle(pilot)
        assert (screen._lesson.id, screen._current_anchor()) == ("storage", "buckets")


# ---------------------------------------------------------------- practise this


async def test_practise_starts_a_review_of_the_sections_questions(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot, "storage", "versioning")
        rec = record_practice(app)
        assert "practise 2 questions" in str(screen.query_one("#lesson-status", Static).render())
        await pilot.press("p")
        await settle(pilot)
        assert rec.calls == [("review", "storage#versioning")]


async def test_practise_goes_through_the_real_review_screen(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_reader(pilot, "storage", "buckets")
        started = []
        from tutor.tui.screens.review import ReviewScreen

        original = ReviewScreen.start
        ReviewScreen.start = lambda self, scope=None: started.append(scope)  # type: ignore[method-assign]
        try:
            await pilot.press("p")
            await settle(pilot)
        finally:
            ReviewScreen.start = original  # type: ignore[method-assign]
        # the review screen may start itself again on mount with the scope it was given
        assert app.current_mode == "review" and started[0] == "storage#buckets"


def without_versioning_questions(content_root: Path) -> Path:
    path = content_root / "question_bank" / "storage.yaml"
    text = path.read_text()
    path.write_text(text.replace("lesson: storage#versioning", "lesson: storage#buckets"))
    return content_root


async def test_practise_opens_the_lab_when_the_section_has_no_questions(content_root):
    app = app_for(without_versioning_questions(content_root))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot, "storage", "versioning")
        rec = record_practice(app)
        assert "lab: Turn on versioning" in str(screen.query_one("#lesson-status", Static).render())
        await pilot.press("p")
        await settle(pilot)
        assert rec.calls == [("lab", "versioned-bucket")]


def with_unpractised_section(content_root: Path) -> Path:
    path = content_root / "lessons" / "02-network.md"
    path.write_text(path.read_text() + "\n## Route tables {#routing}\n\nRoutes send traffic.\n")
    return content_root


async def test_practise_offers_the_chapter_when_the_section_has_nothing(content_root):
    app = app_for(with_unpractised_section(content_root))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot, "network", "routing")
        rec = record_practice(app)
        assert "nothing to practise here yet" in str(screen.query_one("#lesson-status", Static).render())
        await pilot.press("p")
        await settle(pilot)
        assert rec.calls == []
        assert any("Press p again" in n.message for n in app._notifications)
        await pilot.press("p")
        await settle(pilot)
        assert rec.calls == [("review", "network")]


async def test_empty_catalog_says_there_are_no_lessons():
    from tutor.content import Catalog

    app = TutorApp(catalog=Catalog(roots=[]))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot)
        assert "No lessons" in str(screen.query_one(".empty", Static).render())
        await pilot.press("p", "slash", "g", "right_square_bracket")  # nothing to act on: no crash
        await settle(pilot)


@pytest.mark.parametrize("ref", ["nope", "storage#nope"])
async def test_an_unknown_lesson_or_section_is_reported_not_fatal(make_app, ref):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot)
        lesson_id, _, anchor = ref.partition("#")
        screen.open_lesson(lesson_id, anchor or None)
        await settle(pilot)
        assert app._notifications
