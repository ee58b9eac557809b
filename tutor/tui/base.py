"""What every mode screen shares: the navigation bar, the footer, and background loading."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

if TYPE_CHECKING:
    from tutor.content import Catalog

MODE_KEYS = {"home": "h", "lessons": "l", "labs": "b", "review": "r", "exam": "e", "stats": "s"}
MODE_TITLES = {
    "home": "Home",
    "lessons": "Lessons",
    "labs": "Labs",
    "review": "Review",
    "exam": "Exam",
    "stats": "Stats",
}


class NavBar(Static):
    """The row of modes; the current one is highlighted, each is clickable."""

    def __init__(self, current: str) -> None:
        parts = []
        for mode, title in MODE_TITLES.items():
            key = MODE_KEYS[mode]
            label = f" {title} [dim]{key}[/dim] "
            if mode == current:
                parts.append(f"[reverse b]{label}[/]")
            else:
                parts.append(f"[@click=app.switch_mode('{mode}')]{label}[/]")
        super().__init__(" aws-tutor  " + "".join(parts), id="nav", markup=True)


class EmptyState(Static):
    """What a screen shows when it has nothing yet: what is missing and what to do next."""

    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, classes="empty", markup=True, **kw)


class ModeScreen(Screen):
    MODE = "home"
    # what the screen shows, computed from the catalog (and the store) in a worker: set it with
    # staticmethod(gather), give the screen a show(data), and it loads again each time it is shown
    load: Callable[[Catalog], Any] | None = None

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        with Vertical(id="body"):
            yield from self.compose_body()

    def _on_mount(self, event) -> None:
        # The footer builds a widget per key; adding it just after the first paint keeps start-up quick.
        self.call_after_refresh(self._add_footer)

    async def _add_footer(self) -> None:
        await self.mount(Footer())
        # a footer mounted late has missed the bindings signal of the first focus: without this it stays blank
        self.refresh_bindings()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def reload(self) -> None:
        self.in_background(self.load, self.show)  # type: ignore[arg-type, attr-defined]

    def on_screen_resume(self) -> None:
        if self.load is not None:
            self.reload()

    def in_background(
        self, compute: Callable[[Catalog], Any], show: Callable[[Any], None], group: str = "load"
    ) -> None:
        """Run ``compute(catalog)`` in a worker thread, then ``show(result)`` on the UI thread."""

        def job() -> None:
            result = compute(self.app.catalog())  # type: ignore[attr-defined]
            self.app.call_from_thread(show, result)

        self.run_worker(job, thread=True, exclusive=True, group=group, exit_on_error=False)


class SerialWriter:
    """Runs store writes one after another on a background thread, in the order they were asked for.

    Answers must reach the database in order (an answer changed twice keeps the last), and the UI
    must not wait for them; ``then`` runs on the UI thread once the write is committed.
    """

    def __init__(self, node) -> None:
        import queue
        import threading

        self._node = node
        self._jobs: queue.Queue = queue.Queue()
        # A thread of its own, not a Textual worker: it lives as long as its screen, and
        # "wait for all workers" must not wait for it.
        threading.Thread(target=self._loop, name="serial-writer", daemon=True).start()

    def submit(self, job: Callable[[], Any], then: Callable[[Any], None] | None = None) -> None:
        self._jobs.put((job, then))

    def close(self) -> None:
        self._jobs.put(None)

    @property
    def idle(self) -> bool:
        """True when every queued write is done. Never block the UI thread waiting for it: the
        writer hands its results back through that thread."""
        return self._jobs.unfinished_tasks == 0

    def _loop(self) -> None:
        while True:
            item = self._jobs.get()
            try:
                if item is None:
                    return
                job, then = item
                try:
                    result = job()
                except Exception as exc:  # noqa: BLE001 - tell the learner, keep the writer alive
                    self._node.app.call_from_thread(self._node.notify, f"Could not save: {exc}", severity="error")
                    continue
                if then is not None:
                    self._node.app.call_from_thread(then, result)
            finally:
                self._jobs.task_done()
