"""Lessons: the table of contents and the reader."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Markdown, OptionList
from textual.widgets.option_list import Option

from ..base import EmptyState, ModeScreen


class LessonsScreen(ModeScreen):
    MODE = "lessons"

    def __init__(self) -> None:
        super().__init__()
        self._pending: tuple[str, str | None] | None = None  # a lesson asked for before the catalog arrived

    def compose_body(self) -> ComposeResult:
        yield EmptyState("Loading chapters…", id="lessons-empty")
        with Horizontal(id="lessons-main"):
            yield OptionList(id="toc")
            yield Markdown("", id="reader")

    def on_mount(self) -> None:
        self.query_one("#lessons-main").display = False
        self.in_background(self._chapters, self.show)

    @staticmethod
    def _chapters(catalog):
        from tutor.exam.plan import lesson_progress
        from tutor.store.progress import snapshot

        progress = lesson_progress(catalog, snapshot())
        return catalog, progress

    def show(self, data) -> None:
        catalog, progress = data
        self.catalog = catalog
        empty = self.query_one("#lessons-empty", EmptyState)
        if not catalog.lessons:
            empty.update(
                "No lessons are installed yet.\n\nChapters are Markdown files in [b]lessons/[/b]; "
                "see docs/AUTHORING.md, then run [b]tutor validate[/b]."
            )
            return
        empty.display = False
        self.query_one("#lessons-main").display = True
        toc = self.query_one("#toc", OptionList)
        toc.clear_options()
        for lesson in catalog.lessons.values():
            done, total = progress[lesson.id]
            toc.add_option(Option(f"{lesson.order:>2}. {lesson.title}  [dim]{done}/{total}[/dim]", id=lesson.id))
        toc.highlighted = 0
        toc.focus()
        if self._pending:
            self.open_lesson(*self._pending)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.open_lesson(event.option.id)

    def open_lesson(self, lesson_id: str, anchor: str | None = None) -> None:
        catalog = getattr(self, "catalog", None)
        if catalog is None:
            self._pending = (lesson_id, anchor)
            return
        self._pending = None
        lesson = catalog.lessons.get(lesson_id)
        if lesson is None:
            self.notify(f"No lesson {lesson_id!r}", severity="warning")
            return
        from tutor.content.lessons import render_admonitions

        parts = [f"# {lesson.title}", lesson.intro]
        parts += [f"## {s.title}\n\n{s.body}" for s in lesson.sections]
        self.query_one("#reader", Markdown).update(render_admonitions("\n\n".join(parts)))
