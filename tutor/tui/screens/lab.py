"""One lab: the handout, a live checklist, and an AWS console that talks only to the sandbox.

Everything that touches the sandbox or the store runs in worker threads; the checklist is
re-graded whenever the sandbox's state changes.
"""

from __future__ import annotations

import os
import textwrap
import threading
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Markdown, RichLog, Static

CONSOLE_HELP = (
    "Type AWS CLI commands without the leading 'aws' (it is fine to type it): s3api list-buckets, "
    "sqs list-queues ... They run against this lab's sandbox only.\n"
    "Ask the policy evaluator: can role/NAME do s3:GetObject on arn:aws:s3:::bucket/key\n"
    "Tab completes commands, ↑/↓ walk the history, 'clear' empties the console."
)


class Confirm(ModalScreen[bool]):
    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(self.question)
            yield Static("\n[b]y[/b] yes · [b]n[/b] no")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class LabScreen(Screen):
    BINDINGS = [
        Binding("ctrl+g", "check", "Check now", priority=True),
        Binding("ctrl+t", "hint", "Hint", priority=True),
        Binding("ctrl+r", "reset", "Reset", priority=True),
        Binding("ctrl+o", "solution", "Solution", priority=True),
        Binding("escape", "leave", "Back to labs"),
        Binding("up", "history(-1)", show=False, priority=True),
        Binding("down", "history(1)", show=False, priority=True),
        Binding("tab", "complete", show=False, priority=True),
    ]

    def __init__(self, lab: Any, catalog: Any) -> None:
        super().__init__()
        self.lab, self.catalog = lab, catalog
        self.session = None
        self.cli = None
        self.history: list[str] = []
        self.history_pos = 0
        self.hints_shown: list[str] = []
        self._stop = threading.Event()
        self._report: Any = None  # the last check report, drawn again when the panel changes width

    def compose(self) -> ComposeResult:
        yield Static(f"[b]{escape(self.lab.title)}[/b] · starting the sandbox…", id="lab-header")
        with Horizontal(id="lab-main"):
            yield Markdown(self._handout(), id="lab-handout")
            with Vertical(id="lab-side"):
                yield Static("", id="lab-checks")
                # min_width: wrap to the panel, not to the 78 columns RichLog assumes by default
                yield RichLog(id="lab-console", wrap=True, markup=False, highlight=False, min_width=20)
                yield Input(placeholder="aws> s3api list-buckets", id="lab-input")
        yield Footer()

    def _handout(self) -> str:
        folder = self.lab.folder
        try:
            return (folder / self.lab.handout).read_text(encoding="utf-8")
        except OSError as exc:
            return f"# {self.lab.title}\n\nThe handout cannot be read: {exc}"

    def on_mount(self) -> None:
        self.console = self.query_one("#lab-console", RichLog)
        self.call_after_refresh(self.console.write, Text(CONSOLE_HELP, style="dim"))  # once it knows its width
        self.query_one("#lab-input", Input).focus()
        self.start_lab()

    def on_unmount(self) -> None:
        self._stop.set()

    # -- sandbox lifecycle ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="lab-start", exit_on_error=False)
    def start_lab(self) -> None:
        from tutor.grading import session as labs
        from tutor.sandbox import AwsCli, SandboxError

        try:
            session, how = labs.start(self.catalog, self.lab.id)
        except (labs.LabError, SandboxError) as exc:
            self.app.call_from_thread(self._header, f"[b red]The lab could not start[/]: {escape(str(exc))}")
            return
        except Exception as exc:
            self.app.call_from_thread(self._header, f"[b red]The lab could not start[/]: {escape(repr(exc))}")
            raise
        self.session = session
        self.cli = AwsCli(session.sandbox, cwd=session.workspace)
        note = {
            "started": "sandbox started",
            "resumed": "your saved sandbox resumed",
            "running": "sandbox already running",
        }.get(how, how)
        self.app.call_from_thread(
            self._header,
            f"[b]{escape(self.lab.title)}[/b] · {note} on {session.sandbox.endpoint} · "
            f"workspace [b]{escape(str(session.workspace))}[/b]",
        )
        self.app.call_from_thread(self.watch_sandbox)
        self.cli.warm(self.lab.services)  # the first command is then as quick as the next ones

    def _header(self, text: str) -> None:
        self.query_one("#lab-header", Static).update(text)

    @work(thread=True, exclusive=True, group="lab-watch", exit_on_error=False)
    def watch_sandbox(self) -> None:
        """Re-grade whenever the sandbox's state changes: the checklist follows the learner live."""
        from tutor.grading import session as labs
        from tutor.sandbox import SandboxError

        last = None
        while not self._stop.is_set():
            try:
                changes = self.session.sandbox.changes()
                if changes != last:
                    last = changes
                    report = labs.check(self.session)
                    self.app.call_from_thread(self.show_report, report)
            except SandboxError as exc:
                self.app.call_from_thread(self._header, f"[b red]The sandbox stopped[/]: {escape(str(exc))}")
                return
            self._stop.wait(0.4)

    def show_report(self, report: Any) -> None:
        from tutor.grading.checks import weight_label

        self._report = report
        box = self.query_one("#lab-checks", Static)
        width = max(30, box.content_size.width - 1)

        def hanging(text: str, indent: int) -> str:
            # wrapped here, so that continuation lines stay under the text instead of under the ✔/✘
            return ("\n" + " " * indent).join(escape(line) for line in textwrap.wrap(text, width - indent) or [""])

        done = "  [b green]All checks pass. Lab complete![/]" if report.passed == report.total else ""
        lines = [
            f"[b]Checks[/b]  {report.passed}/{report.total} pass · score {report.score}{done}"
        ]  # never scrolled away
        # each check's weight and share of the score, so that "3/5 pass · score 50" adds up
        total_weight = sum(c.weight for c in report.checks)
        labels = [weight_label(c.weight, total_weight) for c in report.checks]
        pad = max((len(label) for label in labels), default=0)
        indent = 3 + pad + 2
        explained = 0
        for c, label in zip(report.checks, labels):
            weight = f"[dim]{label:>{pad}}[/dim]  "
            if c.passed:
                lines.append(f" [green]✔[/] {weight}{hanging(c.title, indent)}")
            elif explained < 2:  # the next things to fix, in full; the rest by title
                explained += 1
                lines.append(
                    f" [red]✘[/] {weight}{hanging(c.title, indent)}\n{' ' * indent}"
                    f"[dim]{hanging(c.message, indent)}[/dim]"
                )
            else:
                lines.append(f" [red]✘[/] {weight}{hanging(c.title, indent)}")
        box.update("\n".join(lines))

    def on_resize(self) -> None:
        if self._report is not None:  # after the layout, when the panel has its new width
            self.call_after_refresh(self.show_report, self._report)

    # -- console -----------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        command = event.value.strip()
        event.input.value = ""
        if not command:
            return
        if not self.history or self.history[-1] != command:
            self.history.append(command)
        self.history_pos = len(self.history)
        if command in ("clear", "cls"):
            self.console.clear()
            return
        if command in ("help", "?"):
            self.console.write(Text(CONSOLE_HELP, style="dim"))
            return
        self.console.write(Text(f"aws> {command}", style="bold cyan"))
        self.run_command(command)

    @work(thread=True, group="lab-console", exit_on_error=False)
    def run_command(self, command: str) -> None:
        if self.cli is None:
            self.app.call_from_thread(self.console.write, Text("The sandbox is still starting…", style="yellow"))
            return
        from tutor.grading.ask import answer, is_question

        if is_question(command):
            text = answer(command, self.session.sandbox.client("iam", grader=True))
            self.app.call_from_thread(self.console.write, Text(text, style="magenta"))
            return
        result = self.cli.run(command)
        if result.stdout:
            self.app.call_from_thread(self.console.write, Text(result.stdout.replace("\r", "").rstrip()))
        if result.stderr:
            self.app.call_from_thread(self.console.write, Text(result.stderr.rstrip(), style="red"))
        if result.exit_code and not result.stderr:
            self.app.call_from_thread(self.console.write, Text(f"(exit code {result.exit_code})", style="red"))

    def action_history(self, step: int) -> None:
        box = self.query_one("#lab-input", Input)
        if not self.history or self.focused is not box:
            return
        self.history_pos = max(0, min(len(self.history), self.history_pos + step))
        box.value = self.history[self.history_pos] if self.history_pos < len(self.history) else ""
        box.cursor_position = len(box.value)

    def action_complete(self) -> None:
        box = self.query_one("#lab-input", Input)
        if self.cli is None or self.focused is not box:
            return
        text = box.value
        words = self.cli.complete(text)
        if not words:
            return
        current = "" if text.endswith(" ") or not text.split() else text.split()[-1]
        common = os.path.commonprefix(words)
        if len(words) == 1 or len(common) > len(current):
            completed = (common if len(words) > 1 else words[0]) + ("" if len(words) > 1 else " ")
            box.value = text[: len(text) - len(current)] + completed
            box.cursor_position = len(box.value)
        if len(words) > 1:
            self.console.write(Text("  ".join(words[:40]) + ("  …" if len(words) > 40 else ""), style="dim"))

    # -- hint, reset, solution ---------------------------------------------------------------

    def action_check(self) -> None:
        if self.session is not None:
            self._check_now()

    @work(thread=True, group="lab-check", exit_on_error=False)
    def _check_now(self) -> None:
        from tutor.grading import session as labs

        self.app.call_from_thread(self.show_report, labs.check(self.session))

    @work(thread=True, group="lab-hint", exit_on_error=False)
    def action_hint(self) -> None:
        from tutor.grading import session as labs

        ask, cost = labs.next_hint_cost(self.catalog, self.lab.id)
        if ask:  # the first hint says what it costs before it spends
            self.app.call_from_thread(
                self.app.push_screen,
                Confirm(f"{cost}\nShow the first hint?"),
                lambda yes: self._spend_hint() if yes else None,
            )
        else:
            self._show_hint()

    @work(thread=True, group="lab-hint", exit_on_error=False)
    def _spend_hint(self) -> None:
        self._show_hint()

    def _show_hint(self) -> None:
        from tutor.grading import session as labs

        number, total, text = labs.hint(self.catalog, self.lab.id)
        self.app.call_from_thread(self.console.write, Text(f"Hint {number}/{total}: {text}", style="yellow"))

    def action_reset(self) -> None:
        if self.session is None:
            return
        self.app.push_screen(
            Confirm(
                "Reset the lab? Everything you created in the sandbox is deleted and the setup runs again. "
                "Your workspace files stay."
            ),
            lambda yes: self._reset() if yes else None,
        )

    @work(thread=True, group="lab-reset", exit_on_error=False)
    def _reset(self) -> None:
        from tutor.grading import session as labs

        seconds = labs.reset(self.session)
        self.app.call_from_thread(self.console.write, Text(f"Lab reset in {seconds * 1000:.0f} ms.", style="yellow"))

    @work(thread=True, group="lab-solution", exit_on_error=False)
    def action_solution(self) -> None:
        from tutor.grading import session as labs

        cost = labs.solution_cost(self.catalog, self.lab.id)
        self.app.call_from_thread(
            self.app.push_screen,
            Confirm(f"Show the reference solution? {cost}"),
            lambda yes: self._solution() if yes else None,
        )

    @work(thread=True, group="lab-solution", exit_on_error=False)
    def _solution(self) -> None:
        from tutor.grading import session as labs

        source = labs.solution(self.catalog, self.lab.id)
        self.app.call_from_thread(self.console.write, Text("Reference solution:", style="bold yellow"))
        self.app.call_from_thread(self.console.write, Text(source))

    def action_leave(self) -> None:
        self.dismiss(None)
