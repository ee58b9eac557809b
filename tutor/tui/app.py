"""The Textual app: six modes, a command palette, and help built from the active bindings.

Nothing heavy is imported here: the catalog (pydantic) and the store (SQLAlchemy) load in
worker threads after the first paint.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding

from .base import MODE_KEYS
from .palette import TutorCommands
from .screens.home import HomeScreen

if TYPE_CHECKING:
    from tutor.content import Catalog


def _lazy(module: str, name: str):
    """A screen factory that imports its module only when the mode is first opened."""

    def make():
        import importlib

        return getattr(importlib.import_module(f"tutor.tui.screens.{module}"), name)()

    return make


class TutorApp(App):
    TITLE = "aws-tutor"
    CSS_PATH = Path(__file__).with_name("tutor.tcss")  # absolute, so subclasses elsewhere find it
    COMMANDS = App.COMMANDS | {TutorCommands}
    MODES = {
        "home": HomeScreen,
        "lessons": _lazy("lessons", "LessonsScreen"),
        "labs": _lazy("labs", "LabsScreen"),
        "review": _lazy("review", "ReviewScreen"),
        "exam": _lazy("exam", "ExamScreen"),
        "stats": _lazy("stats", "StatsScreen"),
    }
    DEFAULT_MODE = "home"
    BINDINGS = [
        # the navigation bar already shows the mode keys; the footer keeps its width for the screen's own keys
        *(Binding(key, f"app.switch_mode('{mode}')", mode.title(), show=False) for mode, key in MODE_KEYS.items()),
        Binding("f1,question_mark", "app.help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, catalog: Catalog | None = None, mode: str | None = None, resume_exam: bool = False) -> None:
        self.resume_exam = resume_exam  # `tutor exam start`: go straight into the attempt it created
        if mode in self.MODES:
            self.DEFAULT_MODE = mode  # e.g. `tutor exam start` opens on the Exam screen (read by App.__init__)
        super().__init__()
        self._catalog = catalog
        self._catalog_ready = threading.Event()
        if catalog is not None:
            self._catalog_ready.set()

    def on_mount(self) -> None:
        if self._catalog is None:
            # after the first paint, so loading content never delays it
            self.call_after_refresh(
                self.run_worker, self._load_catalog, thread=True, group="catalog", exit_on_error=False
            )

    def _load_catalog(self) -> None:
        from tutor.content import load_catalog

        try:
            self._catalog = load_catalog()
        finally:
            self._catalog_ready.set()

    def catalog(self) -> Catalog:
        """The content catalog. Blocks until it is loaded: call it from a worker thread."""
        self._catalog_ready.wait()
        if self._catalog is None:
            from tutor.content import Catalog

            self._catalog = Catalog(roots=[])
        return self._catalog

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def open_lesson(self, lesson_id: str, anchor: str | None = None) -> None:
        self.switch_mode("lessons")
        self.screen.open_lesson(lesson_id, anchor)  # type: ignore[attr-defined]

    def open_lab(self, lab_id: str) -> None:
        self.switch_mode("labs")
        self.screen.open_lab(lab_id)  # type: ignore[attr-defined]

    def start_review(self, scope: str | None = None) -> None:
        self.switch_mode("review")
        self.screen.start(scope)  # type: ignore[attr-defined]
