"""Lessons: a table of contents with progress, the chapter reader, search, the glossary and "practise this".

The reader shows one page at a time: a chapter's introduction, or one of its sections (a whole
chapter is too many widgets for Textual's Markdown to mount quickly). A section counts as read
once the learner has scrolled to its bottom themselves, or moved on past it (``]``, Space at the
bottom, the "Next" link). Opening a chapter or jumping to a section marks nothing. The page the
learner is on is saved, so reopening a chapter returns there.

The catalog, the progress store and the search index are only touched in worker threads.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import ContentSwitcher, Input, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from ..base import EmptyState, ModeScreen
from ..widgets.lesson_reader import LessonDocument, SearchBox

if TYPE_CHECKING:
    from tutor.content import Catalog, Lesson
    from tutor.content.search import Hit

PERSIST_DELAY = 0.3  # seconds of quiet before progress is written
TOC_TEXT_WIDTH = 38  # text cells of a contents line before the first layout (see #toc in tutor.tcss)

WELCOME = """\
# Lessons

Pick a chapter on the left (arrows, then Enter).

- `/` searches every chapter and the glossary, `g` lists the glossary.
- In a chapter, `]` and `[` move between sections (Space at the bottom of a page moves on too),
  and `p` practises the section you are in: its review questions, or the lab that teaches it.
- A section counts as read once you have scrolled through it or moved past it.
"""

_SANDBOX_FENCE = re.compile(r"^(?P<indent>[ >]*)(?P<fence>```|~~~)sh sandbox.*$", re.MULTILINE)


def page_markdown(catalog: Catalog, lesson: Lesson, index: int) -> str:
    """Page ``index`` of a chapter as the reader shows it (-1 is the introduction)."""
    from tutor.content.lessons import render_admonitions

    if index < 0:
        parts = [
            f"# {lesson.title}",
            f"*{lesson.summary}*",
            "**In this chapter you will learn to**",
            "\n".join(f"- {o}" for o in lesson.objectives),
        ]
        if lesson.intro:
            parts.append(lesson.intro)
    else:
        section = lesson.sections[index]
        parts = [f"## {section.title}", section.body]
    parts.append(_page_footer(catalog, lesson, index))
    text = render_admonitions("\n\n".join(parts))
    return _SANDBOX_FENCE.sub(
        lambda m: (
            f"{m['indent']}*Sandbox commands: they run as they are in a lab console.*\n"
            f"{m['indent']}\n{m['indent']}{m['fence']}sh"
        ),
        text,
    )


def _page_footer(catalog: Catalog, lesson: Lesson, index: int) -> str:
    lines = ["---", ""]
    if index >= 0:
        ref = f"{lesson.id}#{lesson.sections[index].anchor}"
        questions = catalog.questions_for(ref)
        labs = catalog.labs_for(ref)
        here = []
        if questions:
            here.append(f"[{len(questions)} question{'s' if len(questions) != 1 else ''}](review:{ref})")
        here += [f"lab [{lab.title}](lab:{lab.id})" for lab in labs]
        lines.append("**This section:** " + (" · ".join(here) + " (`p`)" if here else "nothing to practise yet"))
        lines.append("")
    chapter = []
    questions = catalog.questions_for(lesson.id)
    if questions:
        chapter.append(f"[all {len(questions)} review questions](review:{lesson.id})")
    chapter += [f"lab [{lab.title}](lab:{lab.id}) ({lab.estimated_minutes} min)" for lab in catalog.labs_for(lesson.id)]
    lines.append("**This chapter:** " + (" · ".join(chapter) if chapter else "no labs or questions yet"))
    if index + 1 < len(lesson.sections):
        following = lesson.sections[index + 1]
        lines += ["", f"**Next:** [{following.title}](lesson:{lesson.id}#{following.anchor}) (`]` or Space)"]
    return "\n".join(lines)


class LessonsScreen(ModeScreen):
    MODE = "lessons"

    BINDINGS = [
        Binding("slash", "search", "Search", key_display="/"),
        Binding("p", "practise", "Practise this"),
        Binding("g", "glossary", "Glossary"),
        Binding("left_square_bracket", "previous_section", "Prev §", key_display="["),
        Binding("right_square_bracket,n", "next_section", "Next §", key_display="]"),
        Binding("backspace", "back", "Back", show=False),
        Binding("escape", "close_panel", "Close", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.catalog: Catalog | None = None
        self._pending: tuple[str, str | None] | None = None  # asked for before the catalog arrived
        self._read: dict[str, set[str]] = {}
        self._positions: dict[str, str] = {}
        self._lesson: Lesson | None = None
        self._current = -1  # the page shown: a section index, or -1 for the introduction
        self._shown: tuple[str, int] | None = None  # the page whose Markdown is in the reader
        self._pending_marks: set[tuple[str, str]] = set()
        self._pending_position: tuple[str, str] | None = None
        self._persist_timer = None
        self._store_lock = threading.Lock()
        self._offer: str | None = None  # "p" again practises the chapter
        self._history: list[tuple[str, str | None]] = []
        self._hits: list[Hit] = []
        self._glossary_filled = False
        self._glossary: list[str] = []  # the section ref of each glossary line

    # ------------------------------------------------------------------ layout

    def compose_body(self) -> ComposeResult:
        yield EmptyState("Loading chapters…", id="lessons-empty")
        with Horizontal(id="lessons-main"):
            yield OptionList(id="toc")
            with Vertical(id="lessons-pane"):
                yield SearchBox(
                    placeholder="Search chapters and glossary (Enter opens, Esc closes)", id="lesson-search"
                )
                with ContentSwitcher(initial="reader", id="lessons-switcher"):
                    yield LessonDocument(WELCOME, id="reader")
                    yield OptionList(id="search-results")
                    yield OptionList(id="glossary")
                yield Static("", id="lesson-status")

    def on_mount(self) -> None:
        self.query_one("#lessons-main").display = False
        self.query_one("#lesson-search").display = False
        self.watch(self.query_one("#reader", LessonDocument), "scroll_y", self._scrolled, init=False)
        self.in_background(self._load, self._loaded)

    # ------------------------------------------------------------------ loading (worker thread)

    @staticmethod
    def _load(catalog: Catalog) -> tuple[Catalog, dict[str, set[str]], dict[str, str], tuple[str, str] | None]:
        from tutor.store.progress import last_position, position, read_sections

        positions = {lid: a for lid in catalog.lessons if (a := position(lid))}
        return catalog, read_sections(), positions, last_position()

    def _loaded(self, data) -> None:
        catalog, read, positions, last = data
        self.catalog, self._read, self._positions = catalog, read, positions
        empty = self.query_one("#lessons-empty", EmptyState)
        if not catalog.lessons:
            empty.update(
                "No lessons are installed yet.\n\nChapters are Markdown files in [b]lessons/[/b]; "
                "see docs/AUTHORING.md, then run [b]tutor validate[/b]."
            )
            return
        empty.display = False
        self.query_one("#lessons-main").display = True
        self._refresh_toc()
        self.query_one("#toc", OptionList).focus()
        if self._pending:
            self.open_lesson(*self._pending)
        elif last and last[0] in catalog.lessons:
            self.open_lesson(last[0], focus_reader=False)  # continue where the learner stopped
        # warm the search index now, so the first keystroke in the search box is instant
        self.run_worker(self._warm_index, thread=True, group="index", exit_on_error=False)

    def _warm_index(self) -> None:
        from tutor.content.search import index_for

        if self.catalog is not None:
            index_for(self.catalog)

    # ------------------------------------------------------------------ the table of contents

    def _progress(self, lesson: Lesson) -> tuple[int, int]:
        anchors = {s.anchor for s in lesson.sections}
        return len(self._read.get(lesson.id, set()) & anchors), len(anchors)

    def _refresh_toc(self) -> None:
        if self.catalog is None:
            return
        toc = self.query_one("#toc", OptionList)
        keep = toc.highlighted if toc.has_focus else None
        options: list[Option] = []
        target = None
        region = toc.scrollable_content_region.width
        width = region - 2 if region > 20 else TOC_TEXT_WIDTH
        for lesson in self.catalog.lessons.values():
            done, total = self._progress(lesson)
            finished = total and done == total
            count = " ✓" if finished else f"{done}/{total}"
            label = Content.assemble(
                f"{lesson.order:>2}. ",
                (_fit(lesson.title, width - 4 - 6).ljust(width - 4 - 6), "bold" if self._lesson is lesson else ""),
                (f"{count:>6}", "$success" if finished else "dim"),
            )
            options.append(Option(label, id=f"L:{lesson.id}"))
            if self._lesson is not lesson:
                continue
            if self._current < 0:
                target = len(options) - 1
            read = self._read.get(lesson.id, set())
            for i, section in enumerate(lesson.sections):
                here = i == self._current
                if here:
                    target = len(options)
                mark = ("✓ ", "$success") if section.anchor in read else ("· ", "dim")
                options.append(
                    Option(
                        Content.assemble("    ", mark, (_fit(section.title, width - 6), "bold" if here else "")),
                        id=f"S:{lesson.id}#{section.anchor}",
                    )
                )
        toc.clear_options()
        toc.add_options(options)
        if keep is not None and keep < len(options) and target is None:
            toc.highlighted = keep
        elif target is not None:
            toc.highlighted = target
        elif options:
            toc.highlighted = keep if keep is not None and keep < len(options) else 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if event.option_list.id == "toc":
            kind, _, ref = option_id.partition(":")
            lesson_id, _, anchor = ref.partition("#")
            if kind == "L":
                self.open_lesson(lesson_id)
            else:
                self.open_lesson(lesson_id, anchor)
        elif event.option_list.id == "search-results":
            self._open_hit(event.option_index)
        elif event.option_list.id == "glossary":
            lesson_id, _, anchor = self._glossary[event.option_index].partition("#")
            self._remember_place()
            self.open_lesson(lesson_id, anchor or None)

    # ------------------------------------------------------------------ opening pages

    def open_lesson(self, lesson_id: str, anchor: str | None = None, *, focus_reader: bool = True) -> None:
        """Show a chapter at ``anchor``, or where the learner stopped, or its introduction."""
        if self.catalog is None:
            self._pending = (lesson_id, anchor)
            return
        self._pending = None
        lesson = self.catalog.lessons.get(lesson_id)
        if lesson is None:
            self.notify(f"No lesson {lesson_id!r}", severity="warning")
            return
        if anchor and lesson.section(anchor) is None:
            self.notify(f"{lesson.title} has no section #{anchor}; opening the chapter", severity="warning")
            anchor = None
        explicit = anchor is not None
        if anchor is None:
            anchor = self._positions.get(lesson_id)
        anchors = [s.anchor for s in lesson.sections]
        index = anchors.index(anchor) if anchor in anchors else -1
        self._show_page(lesson, index, save_position=explicit, focus_reader=focus_reader)

    def _show_page(self, lesson: Lesson, index: int, *, save_position: bool, focus_reader: bool = True) -> None:
        """Show one page. It marks nothing read: that takes scrolling or moving on."""
        self._close_panel(focus=False)
        self._lesson, self._current, self._offer = lesson, index, None
        if save_position and index >= 0:
            self._queue_position(lesson.id, lesson.sections[index].anchor)
        self._refresh_toc()
        self._update_status()
        reader = self.query_one("#reader", LessonDocument)
        if focus_reader:
            reader.focus()
        self.run_worker(self._render_page(lesson, index), group="render", exclusive=True)

    async def _render_page(self, lesson: Lesson, index: int) -> None:
        reader = self.query_one("#reader", LessonDocument)
        if self._shown != (lesson.id, index):
            self._shown = None
            await reader.update(page_markdown(self.catalog, lesson, index))
            self._shown = (lesson.id, index)
        reader.scroll_home(animate=False, immediate=True)
        reader.user_moved = False

    def _remember_place(self) -> None:
        if self._lesson is not None:
            self._history.append((self._lesson.id, self._current_anchor()))
            del self._history[:-50]

    def action_back(self) -> None:
        """Return to where a link, a search result or the glossary took you from."""
        if self._history:
            lesson_id, anchor = self._history.pop()
            self.open_lesson(lesson_id, anchor)

    # ------------------------------------------------------------------ reading

    def _current_anchor(self) -> str | None:
        if self._lesson is None or not 0 <= self._current < len(self._lesson.sections):
            return None
        return self._lesson.sections[self._current].anchor

    def _scrolled(self, y: float) -> None:
        """The learner scrolled to the bottom of a section: they have read it."""
        reader = self.query_one("#reader", LessonDocument)
        lesson = self._lesson
        if (
            lesson is None
            or self._current < 0
            or self._shown != (lesson.id, self._current)
            or not reader.user_moved
            or reader.max_scroll_y <= 0
        ):
            return
        if y >= reader.max_scroll_y:
            self._mark(lesson, self._current)

    def _mark(self, lesson: Lesson, index: int) -> None:
        anchor = lesson.sections[index].anchor
        read = self._read.setdefault(lesson.id, set())
        if anchor in read:
            return
        read.add(anchor)
        self._pending_marks.add((lesson.id, anchor))
        self._schedule_persist()
        self._refresh_toc()
        self._update_status()

    def _queue_position(self, lesson_id: str, anchor: str) -> None:
        self._positions[lesson_id] = anchor
        self._pending_position = (lesson_id, anchor)
        self._schedule_persist()

    def _schedule_persist(self, delay: float = PERSIST_DELAY) -> None:
        if self._persist_timer is not None:
            self._persist_timer.stop()
        self._persist_timer = self.set_timer(delay, self._persist)

    def _persist(self) -> None:
        marks, position = sorted(self._pending_marks), self._pending_position
        self._pending_marks, self._pending_position = set(), None
        if not marks and position is None:
            return
        self.run_worker(lambda: self._write(marks, position), thread=True, group="persist", exit_on_error=False)

    def _write(self, marks: list[tuple[str, str]], position: tuple[str, str] | None) -> None:
        from tutor.store.progress import mark_read, set_position

        with self._store_lock:  # writes land in the order they were made
            for lesson_id, anchor in marks:
                mark_read(lesson_id, anchor)
            if position is None and self._lesson is not None and self._current_anchor():
                position = (self._lesson.id, self._current_anchor())
            if position is not None:
                set_position(*position)

    def on_unmount(self) -> None:
        # the app is closing: write what the last moments of reading changed
        if self._pending_marks or self._pending_position:
            marks, position = sorted(self._pending_marks), self._pending_position
            self._pending_marks, self._pending_position = set(), None
            try:
                self._write(marks, position)
            except Exception:  # noqa: BLE001 - never fail a quit over a reading position
                pass

    def _update_status(self) -> None:
        status = self.query_one("#lesson-status", Static)
        lesson = self._lesson
        if lesson is None or self.catalog is None:
            status.update("")
            return
        done, total = self._progress(lesson)
        if self._current >= 0:
            section = lesson.sections[self._current]
            where = f"§ {self._current + 1}/{total} {section.title}"
            read = " ✓" if section.anchor in self._read.get(lesson.id, set()) else ""
        else:
            where, read = f"{lesson.title}: introduction", ""
        status.update(
            Content.assemble(
                (where, "bold"),
                (read, "$success"),
                (f"   {done}/{total} read", "dim"),
                ("   p ", "bold"),
                (self._practice_hint(), "dim"),
            )
        )

    def _practice_target(self) -> tuple[str, str]:
        """What ``p`` would do here: ("review", ref), ("lab", lab id) or ("none", ref)."""
        assert self._lesson is not None and self.catalog is not None
        anchor = self._current_anchor()
        ref = f"{self._lesson.id}#{anchor}" if anchor else self._lesson.id
        if self.catalog.questions_for(ref):
            return "review", ref
        labs = self.catalog.labs_for(ref)
        if labs:
            return "lab", labs[0].id
        return "none", ref

    def _practice_hint(self) -> str:
        kind, target = self._practice_target()
        if kind == "review":
            n = len(self.catalog.questions_for(target))
            return f"practise {n} question{'s' if n != 1 else ''}"
        if kind == "lab":
            return f"lab: {self.catalog.labs[target].title}"
        return "nothing to practise here yet"

    # ------------------------------------------------------------------ moving between sections

    def on_lesson_document_advance(self, event: LessonDocument.Advance) -> None:
        event.stop()
        self.action_next_section()

    def action_next_section(self) -> None:
        lesson = self._lesson
        if lesson is None or self.catalog is None:
            return
        if self._current >= 0:
            self._mark(lesson, self._current)  # moving on past a section is reading it
        if self._current + 1 < len(lesson.sections):
            self._show_page(lesson, self._current + 1, save_position=True)
            return
        ids = list(self.catalog.lessons)
        following = ids.index(lesson.id) + 1
        if following < len(ids):
            nxt = self.catalog.lessons[ids[following]]
            self.notify(f"End of {lesson.title}. Next chapter: {nxt.title}")
            self._show_page(nxt, -1, save_position=False)
        else:
            self.notify("That was the last section of the last chapter.")

    def action_previous_section(self) -> None:
        lesson = self._lesson
        if lesson is None or self._current < 0:
            return
        self._show_page(lesson, self._current - 1, save_position=self._current > 0)

    # ------------------------------------------------------------------ links

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        href = event.href
        scheme, _, target = href.partition(":")
        if scheme == "lesson":
            lesson_id, _, anchor = target.partition("#")
            lesson = self._lesson
            if (
                lesson is not None
                and lesson_id == lesson.id
                and self._current + 1 < len(lesson.sections)
                and anchor == lesson.sections[self._current + 1].anchor
            ):
                self.action_next_section()  # the "Next" link: moving on, as with ]
                return
            self._remember_place()
            self.open_lesson(lesson_id, anchor or None)
        elif scheme == "lab":
            self.app.open_lab(target)  # type: ignore[attr-defined]
        elif scheme == "review":
            self._start_review(target)
        elif scheme in ("http", "https"):
            self.app.open_url(href)

    # ------------------------------------------------------------------ practise this

    def action_practise(self) -> None:
        if self._lesson is None or self.catalog is None:
            self.notify("Open a chapter first; p practises the section you are reading.")
            return
        kind, target = self._practice_target()
        if kind == "review":
            self._start_review(target)
        elif kind == "lab":
            self.app.notify(f"Opening the lab: {self.catalog.labs[target].title}")
            self.app.open_lab(target)  # type: ignore[attr-defined]
        elif self._offer == target:
            self._start_review(self._lesson.id)
        else:
            chapter = self.catalog.questions_for(self._lesson.id)
            where = self._lesson.sections[self._current].title if self._current >= 0 else "the introduction"
            if chapter:
                self._offer = target
                self.notify(
                    f"Nothing to practise for “{where}” yet. Press p again to practise "
                    f"the chapter's {len(chapter)} questions.",
                    timeout=6,
                )
            else:
                self.notify("Nothing to practise in this chapter yet.")

    def _start_review(self, scope: str) -> None:
        if self.catalog is None:
            return
        self._offer = None
        n = len(self.catalog.questions_for(scope))
        resolved = self.catalog.resolve(scope)
        name = (resolved[1].title if resolved and resolved[1] else resolved[0].title) if resolved else scope
        self._persist()
        self.app.notify(f"Practising {name}: {n} question{'s' if n != 1 else ''}")
        self.app.start_review(scope)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ search

    def action_search(self) -> None:
        if self.catalog is None:
            return
        box = self.query_one("#lesson-search", SearchBox)
        box.display = True
        self.query_one("#lessons-switcher", ContentSwitcher).current = "search-results"
        self.set_focus(box)  # at once: keys typed right after "/" must land in the box, not on bindings
        self._search(box.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "lesson-search":
            event.stop()
            self._search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "lesson-search":
            event.stop()
            results = self.query_one("#search-results", OptionList)
            self._open_hit(results.highlighted if results.highlighted is not None else 0)

    def _search(self, query: str) -> None:
        def compute(catalog: Catalog) -> tuple[str, list[Hit]]:
            from tutor.content.search import search

            return query, search(catalog, query, limit=30)

        self.in_background(compute, self._show_hits, group="search")

    def _show_hits(self, data: tuple[str, list[Hit]]) -> None:
        query, hits = data
        box = self.query_one("#lesson-search", SearchBox)
        if query != box.value:
            return  # a newer query is on its way
        self._hits = hits
        results = self.query_one("#search-results", OptionList)
        results.clear_options()
        if not query.strip():
            results.add_option(Option(Content("Type to search every chapter and the glossary."), disabled=True))
            return
        if not hits:
            results.add_option(Option(Content(f"Nothing matches “{query}”."), disabled=True))
            return
        options: list[Option | None] = []
        for i, hit in enumerate(hits):
            options += [Option(_hit_prompt(hit), id=str(i)), None]  # None: a rule between results
        results.add_options(options[:-1])
        results.highlighted = 0

    def _open_hit(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self._hits):
            return
        hit = self._hits[index]
        self._close_panel(focus=False)
        self._remember_place()
        self.open_lesson(hit.lesson_id, hit.anchor)

    def move_search_cursor(self, step: int) -> None:
        """Move the highlighted result while the search box keeps the focus."""
        results = self.query_one("#search-results", OptionList)
        if not self._hits:
            return
        current = results.highlighted if results.highlighted is not None else 0
        results.highlighted = max(0, min(len(self._hits) - 1, current + step))

    # ------------------------------------------------------------------ glossary

    def action_glossary(self) -> None:
        if self.catalog is None:
            return
        switcher = self.query_one("#lessons-switcher", ContentSwitcher)
        if switcher.current == "glossary":
            self._close_panel()
            return
        self.query_one("#lesson-search", SearchBox).display = False
        glossary = self.query_one("#glossary", OptionList)
        if not self._glossary_filled:
            entries = sorted(self.catalog.glossary, key=lambda e: e.term.lower())
            chapters = {lid: lesson.title for lid, lesson in self.catalog.lessons.items()}
            self._glossary = [e.section for e in entries]
            glossary.add_options(
                [
                    Option(
                        Content.assemble(
                            (e.term, "bold"),
                            "  ",
                            e.definition,
                            (f"  → {chapters.get(e.section.partition('#')[0], e.section)}", "dim"),
                        )
                    )
                    for e in entries
                ]
                or [Option("The glossary is empty.", disabled=True)]
            )
            self._glossary_filled = True
        switcher.current = "glossary"
        if glossary.highlighted is None and glossary.option_count:
            glossary.highlighted = 0
        glossary.focus()

    # ------------------------------------------------------------------ closing panels

    def action_close_panel(self) -> None:
        self._close_panel()

    def _close_panel(self, focus: bool = True) -> None:
        self.query_one("#lesson-search", SearchBox).display = False
        self.query_one("#lessons-switcher", ContentSwitcher).current = "reader"
        if focus:
            self.query_one("#reader", LessonDocument).focus()


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis, so a contents line never wraps."""
    return text if len(text) <= width else text[: max(1, width - 1)].rstrip() + "…"


def _hit_prompt(hit: Hit) -> Content:
    from tutor.content.search import MARK_END, MARK_START

    tag = "glossary · " if hit.kind == "glossary" else ("chapter · " if hit.kind == "lesson" else "")
    parts: list[Any] = [(hit.title, "bold"), (f"   {tag}{hit.chapter}", "dim"), "\n  "]
    for i, piece in enumerate(re.split(f"{MARK_START}|{MARK_END}", hit.snippet)):
        parts.append((piece, "reverse") if i % 2 else piece)
    return Content.assemble(*parts)
