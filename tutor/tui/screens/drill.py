"""An interview drill: the prompt and a countdown, your answer, then coverage and the model answer."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from .exam_sitting import format_time

RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


class DrillScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "done_writing", "Check my answer", priority=True),
        Binding("escape", "leave", "Leave"),
        *(Binding(str(i + 1), f"toggle({i})", show=False) for i in range(9)),
        Binding("enter", "finish", "Save", show=False),
    ]

    def __init__(self, drill: Any) -> None:
        super().__init__()
        self.drill = drill
        self.started = time.monotonic()
        self.started_at = datetime.now(UTC)
        self.phase = "writing"  # writing -> checking -> done
        self.confirmed: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="drill-header")
        with VerticalScroll(id="drill-body"):
            yield Static(f"[b]{escape(self.drill.title)}[/b]\n\n{escape(self.drill.prompt.strip())}", id="drill-prompt")
            yield TextArea(id="drill-answer", soft_wrap=True)
            yield Static("", id="drill-coverage")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()
        self.set_interval(1.0, self.tick)
        self.tick()

    def remaining(self) -> float:
        return self.drill.minutes * 60 - (time.monotonic() - self.started)

    def tick(self) -> None:
        if self.phase != "writing":
            return
        left = self.remaining()
        clock = format_time(left)
        if left <= 0:
            self.notify("Time is up: here is how your answer did.")
            self.action_done_writing()
            return
        if left < 30:
            clock = f"[b red]{clock}[/]"
        self.query_one("#drill-header", Static).update(
            f"Interview drill · ⏱ {clock} · write your answer, then [b]Ctrl+S[/b]"
        )

    def action_done_writing(self) -> None:
        if self.phase != "writing":
            return
        from tutor.exam.drills import detect

        self.phase = "checking"
        self.elapsed = time.monotonic() - self.started
        area = self.query_one(TextArea)
        area.read_only = True
        self.confirmed = detect(self.drill, area.text)
        self.detected = list(self.confirmed)
        self.set_focus(None)
        self.render_coverage()

    def render_coverage(self) -> None:
        from tutor.exam.drills import rating_for

        lines = ["[b]Key points[/b]  [dim]press a number to correct what was detected, Enter to save[/dim]"]
        for i, kp in enumerate(self.drill.key_points):
            on = kp.id in self.confirmed
            found = " [dim](found in your answer)[/dim]" if kp.id in self.detected else ""
            lines.append(f" {i + 1}. {'[green]■[/]' if on else '□'} {escape(kp.point)}{found}")
        rating = rating_for(len(self.confirmed), len(self.drill.key_points))
        lines.append(
            f"\nYou covered {len(self.confirmed)} of {len(self.drill.key_points)}: "
            f"this drill will be rated [b]{RATING_NAMES[rating]}[/b]."
        )
        lines.append(f"\n[b]Model answer[/b]\n{escape(self.drill.model_answer.strip())}")
        self.query_one("#drill-header", Static).update("Interview drill · how did you do?")
        self.query_one("#drill-coverage", Static).update("\n".join(lines))

    def action_toggle(self, index: int) -> None:
        if self.phase != "checking" or index >= len(self.drill.key_points):
            return
        kp = self.drill.key_points[index].id
        self.confirmed = [x for x in self.confirmed if x != kp] if kp in self.confirmed else [*self.confirmed, kp]
        self.render_coverage()

    def action_finish(self) -> None:
        if self.phase != "checking":
            return
        self.phase = "done"
        drill, answer, confirmed = self.drill, self.query_one(TextArea).text, list(self.confirmed)

        def save() -> None:
            from tutor.exam.drills import finish

            result = finish(drill, answer, confirmed, self.started_at, self.elapsed)
            self.app.call_from_thread(self.saved, result)

        self.run_worker(save, thread=True, exit_on_error=False)

    def saved(self, result) -> None:
        self.notify(f"Saved: rated {RATING_NAMES[result.rating]}. The drill comes back in Review when it is due.")
        self.dismiss(None)

    def action_leave(self) -> None:
        if self.phase == "checking":
            self.action_finish()
        else:
            self.dismiss(None)
