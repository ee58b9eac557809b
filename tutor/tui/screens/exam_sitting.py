"""Sitting a mock exam: countdown, navigator, flags, review before submit, auto-submit, results."""

from __future__ import annotations

import random
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Static

from tutor.content.text import reflow

from ..base import SerialWriter

LETTERS = "ABCDEFGHI"
# Mode keys that are not also answer letters: off while an exam is open (a-i answer questions)
LOCKED_KEYS = "l,s"


def option_order(seed: int, question_id: str, count: int) -> list[int]:
    """The shown order of a question's options: shuffled, but stable for the attempt."""
    order = list(range(count))
    random.Random(f"{seed}:{question_id}").shuffle(order)
    return order


def describe(q: Any, response: Any, seed: int) -> str:
    """A response in the letters the learner saw, with the option text."""
    if response is None:
        return "—"
    if q.type in ("single", "multi"):
        order = option_order(seed, q.id, len(q.options))
        shown = {LETTERS[idx]: LETTERS[i] for i, idx in enumerate(order)}
        letters = [response] if q.type == "single" else list(response)
        return "; ".join(f"{shown[x]} ({q.options[LETTERS.index(x)]})" for x in letters if x in shown)
    if q.type == "order":
        return " → ".join(str(response))
    if q.type == "true_false":
        return "true" if response else "false"
    return f"{response}{f' {q.unit}' if q.unit else ''}"


def format_time(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class ExamSittingScreen(Screen):
    """One question at a time. Keys: 1-9 or a-i answer, n/p move, m flags, r reviews, enter confirms."""

    # Numeric answers are typed with the digit keys (no text box), so every key means the same on every question
    BINDINGS = [
        Binding("n,right", "move(1)", "Next"),
        Binding("p,left", "move(-1)", "Previous"),
        Binding("m", "flag", "Flag"),
        Binding("r", "review", "Review & submit"),
        Binding("space", "pause", "Pause", show=False),
        Binding("escape", "leave", "Leave"),
        Binding(LOCKED_KEYS, "locked", show=False),
        *(Binding(str(i + 1), f"digit('{i + 1}')", show=False) for i in range(9)),
        Binding("0", "digit('0')", show=False),
        Binding("full_stop", "digit('.')", show=False),
        Binding("minus", "digit('-')", show=False),
        *(Binding(LETTERS[i].lower(), f"pick({i})", show=False) for i in range(9)),
        Binding("t", "truth(True)", show=False),
        Binding("backspace", "undo_order", show=False),
        Binding("enter", "confirm", "Confirm", show=False),
    ]

    def __init__(self, session: Any, catalog: Any) -> None:
        super().__init__()
        self.session = session
        self.catalog = catalog
        self.position = next(iter(session.unanswered()), 0)
        self.draft: dict[int, Any] = dict(session.responses)  # what the learner has picked, saved or not
        self.feedback: dict[int, bool] = {}  # practice mode: positions whose feedback is shown
        self.typing: dict[int, str] = {}  # numeric answers being typed
        self.saved = True

    def compose(self) -> ComposeResult:
        yield Static("", id="exam-header")
        with Horizontal(id="exam-main"):
            yield Static("", id="exam-grid")
            with VerticalScroll(id="exam-question"):
                yield Static("", id="exam-prompt")
                yield Static("", id="exam-options")
                yield Static("", id="exam-feedback")
        yield Static("", id="exam-status")
        yield Footer()

    def on_mount(self) -> None:
        self.writer = SerialWriter(self)
        self.set_interval(1.0, self.tick)
        self.set_interval(5.0, lambda: self.writer.submit(self.session.heartbeat))
        self.show_question()

    # -- rendering ---------------------------------------------------------------------------

    @property
    def question(self):
        return self.session.questions[self.position]

    def shown_options(self) -> list[tuple[str, int]]:
        """(letter shown, index of the option in the question) in display order."""
        q = self.question
        if q.type in ("single", "multi"):
            order = option_order(self.session.seed, q.id, len(q.options))
        else:
            order = list(range(len(q.options)))
        return [(LETTERS[i], idx) for i, idx in enumerate(order)]

    def tick(self) -> None:
        if self.session.submitted:
            return
        if self.session.expired():
            self.notify("Time is up: the exam was submitted.", severity="warning")
            self.submit()
            return
        self.render_header()

    def render_header(self) -> None:
        s = self.session
        remaining = s.remaining()
        clock = format_time(remaining)
        if s.paused:
            clock += " (paused)"
        elif remaining < 300:
            clock = f"[b red]{clock}[/]"
        answered = len(s.questions) - len(s.unanswered())
        self.query_one("#exam-header", Static).update(
            f"[b]{escape(s.profile.title)}[/b] · {s.mode} mode   ⏱ {clock}   "
            f"answered {answered}/{len(s.questions)} · flagged {len(s.flags)}"
        )

    def render_grid(self) -> None:
        cells = []
        for i in range(len(self.session.questions)):
            label = f"{i + 1:>2}"
            if i == self.position:
                style = "reverse b"
            elif i in self.session.responses:
                style = "green"
            else:
                style = "dim"
            flag = "⚑" if i in self.session.flags else " "
            cells.append(f"[@click=screen.goto({i})][{style}]{label}[/]{flag}[/]")
        rows = [" ".join(cells[i : i + 5]) for i in range(0, len(cells), 5)]
        legend = "\n\n[green]■[/] answered  [dim]■[/] not yet  ⚑ flagged"
        self.query_one("#exam-grid", Static).update("\n".join(rows) + legend)

    def show_question(self) -> None:
        q = self.question
        n = len(self.session.questions)
        kind = {
            "single": "Choose one",
            "multi": f"Choose {q.choose}",
            "true_false": "True (t) or false (f)",
            "numeric": f"Type a number{f' ({q.unit})' if q.unit else ''}",
            "order": "Type the letters in the right order; Backspace removes the last",
        }[q.type]
        flag = "  [yellow]⚑ flagged[/]" if self.position in self.session.flags else ""
        self.query_one("#exam-prompt", Static).update(
            f"[b]Question {self.position + 1} of {n}[/b]{flag}   [dim]{kind}[/dim]\n\n{escape(reflow(q.prompt))}"
        )
        self.render_options()
        self.render_header()
        self.render_grid()

    def render_options(self) -> None:
        q = self.question
        draft = self.draft.get(self.position)
        lines = []
        if q.type == "numeric":
            typed = self.typing.get(self.position, "" if draft is None else str(draft))
            saved = "  [green]saved[/]" if draft is not None and str(draft) == typed else ""
            lines.append(
                f" your answer: [b]{escape(typed) or '_'}[/b]{f' {escape(q.unit)}' if q.unit else ''}{saved}"
                "\n [dim]type it with the number keys; Backspace erases, Enter saves[/dim]"
            )
        elif q.type == "true_false":
            for label, value in (("t", True), ("f", False)):
                mark = "●" if draft is value else "○"
                lines.append(f" {mark} [b]{label}[/b]  {'True' if value else 'False'}")
        elif q.type == "order":
            picked = draft or ""
            for letter, idx in self.shown_options():
                pos = picked.find(LETTERS[idx]) if picked else -1
                tag = f"[b cyan]{pos + 1}[/]" if pos >= 0 else " "
                lines.append(f" {tag} [b]{letter}[/b]  {escape(q.options[idx])}")
            lines.append(f"\n your order: [b]{' → '.join(picked) or '—'}[/b]")
        elif q.type in ("single", "multi"):
            chosen = set(draft if isinstance(draft, list) else [draft] if draft else [])
            for letter, idx in self.shown_options():
                on = LETTERS[idx] in chosen
                mark = ("■" if on else "□") if q.type == "multi" else ("●" if on else "○")
                lines.append(f" {mark} [b]{letter}[/b]  {escape(q.options[idx])}")
        self.query_one("#exam-options", Static).update("\n".join(lines))
        self.render_feedback()

    def render_feedback(self) -> None:
        box = self.query_one("#exam-feedback", Static)
        if self.session.mode != "practice" or self.position not in self.feedback:
            box.update("")
            return
        q = self.question
        ok = self.session.correct.get(self.position, False)
        answer = describe(q, q.answer, self.session.seed)
        verdict = "[b green]✔ Correct[/]" if ok else f"[b red]✘ Not quite[/]: the answer is [b]{escape(answer)}[/b]"
        box.update(f"\n{verdict}\n\n{escape(reflow(q.explanation))}\n\n[dim]Lesson: {q.lesson}[/dim]")

    def set_status(self, text: str) -> None:
        self.query_one("#exam-status", Static).update(text)

    # -- answering ---------------------------------------------------------------------------

    def record(self, response: Any) -> None:
        """Save the answer in the background; say so once it is committed."""
        if self.session.submitted:
            return
        if self.session.paused:
            self.notify("The exam is paused: press space to continue.")
            return
        position = self.position
        self.draft[position] = response
        self.saved = False
        self.set_status("saving…")

        def done(ok: bool) -> None:
            self.saved = True
            self.set_status(f"[green]answer {position + 1} saved[/]")
            if self.session.mode == "practice":
                self.feedback[position] = True
            if position == self.position:
                self.render_options()
            self.render_grid()
            self.render_header()

        self.writer.submit(lambda: self.session.answer(position, response), done)
        self.render_options()

    def action_pick(self, index: int) -> None:
        q = self.question
        options = self.shown_options()
        if q.type == "true_false":
            if index in (0, 1, 5):  # 1/a true, 2/b false, and f (the sixth letter) false
                self.record(index == 0)
            return
        if index >= len(options):
            return
        letter = LETTERS[options[index][1]]
        if self.position in self.feedback and q.type != "numeric":
            return  # practice feedback shown: the answer is final
        if q.type == "single":
            self.record(letter)
        elif q.type == "multi":
            current = list(self.draft.get(self.position) or [])
            current = [x for x in current if x != letter] if letter in current else current + [letter]
            self.draft[self.position] = current
            if len(current) == q.choose:
                self.record(sorted(current))
            else:
                self.set_status(f"{len(current)} of {q.choose} chosen")
                self.render_options()
        elif q.type == "order":
            current = self.draft.get(self.position) or ""
            if letter not in current:
                current += letter
                self.draft[self.position] = current
                if len(current) == len(q.options):
                    self.record(current)
                else:
                    self.render_options()

    def action_truth(self, value: bool) -> None:
        if self.question.type == "true_false":
            self.record(value)

    def action_undo_order(self) -> None:
        if self.position in self.feedback:
            return
        if self.question.type == "order":
            self.draft[self.position] = (self.draft.get(self.position) or "")[:-1]
        elif self.question.type == "numeric":
            self.typing[self.position] = self._typed()[:-1]
        self.render_options()

    def _typed(self) -> str:
        draft = self.draft.get(self.position)
        return self.typing.get(self.position, "" if draft is None else str(draft))

    def action_digit(self, char: str) -> None:
        """A digit answers a numeric question; elsewhere 1-9 pick an option."""
        if self.question.type != "numeric":
            if char.isdigit() and char != "0":
                self.action_pick(int(char) - 1)
            return
        if self.position not in self.feedback and len(self._typed()) < 18:
            self.typing[self.position] = self._typed() + char
            self.render_options()

    def action_confirm(self) -> None:
        """Enter saves a typed number and moves on; in practice mode it stays to show the feedback first."""
        if self.question.type == "numeric" and self.position in self.typing:
            try:
                number = float(self.typing[self.position])
            except ValueError:
                self.notify("Type a number, e.g. 251 or 0.5", severity="warning")
                return
            self.record(int(number) if number.is_integer() else number)
            del self.typing[self.position]
            if self.session.mode == "practice":
                return  # the next Enter moves on
        self.action_move(1)

    # -- moving around -------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        self.goto((self.position + step) % len(self.session.questions))

    def action_goto(self, position: int) -> None:
        self.goto(position)

    def goto(self, position: int) -> None:
        self.position = position
        self.show_question()

    def action_flag(self) -> None:
        position = self.position
        self.writer.submit(lambda: self.session.toggle_flag(position), lambda _: self.show_question())

    def action_locked(self) -> None:
        self.notify("Mode keys are off during an exam. Esc leaves it; the attempt stays open to resume.")

    def action_pause(self) -> None:
        if self.session.mode != "practice":
            self.notify("Exam mode has no pause. Practice mode does.")
            return
        if self.session.paused:
            self.session.unpause()
            self.query_one("#exam-main").display = True
        else:
            self.writer.submit(self.session.pause)
            self.query_one("#exam-main").display = False
            self.set_status("[b]Paused.[/b] Press space to continue.")
        self.render_header()

    def on_unmount(self) -> None:
        self.writer.close()

    def action_leave(self) -> None:
        self.writer.submit(self.session.heartbeat)
        self.notify("The attempt is saved. Resume it from the Exam screen.")
        self.dismiss(None)

    def action_review(self) -> None:
        self.app.push_screen(ReviewBeforeSubmit(self.session), self._after_review)

    def _after_review(self, choice: Any) -> None:
        if choice == "submit":
            self.submit()
        elif isinstance(choice, int):
            self.goto(choice)

    def submit(self) -> None:
        if self.session.submitted:
            return
        catalog = self.catalog

        def finish() -> Any:
            return self.session.submit(catalog)

        self.writer.submit(
            finish, lambda outcome: self.app.switch_screen(ResultsScreen(self.session, catalog, outcome))
        )


class ReviewBeforeSubmit(ModalScreen):
    """What is unanswered and flagged; jump back to one, or submit."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back"),
        Binding("s", "submit", "Submit"),
        Binding("h,l,b,e,r", "noop", show=False),
    ]  # the app's mode keys stay off under this modal

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        with Vertical(id="exam-review"):
            yield Static("", id="exam-review-summary")
            yield DataTable(id="exam-review-table", cursor_type="row")
            yield Static("[dim]Enter opens a question · s submits · Esc goes back[/dim]")

    def on_mount(self) -> None:
        s = self.session
        unanswered, flagged = s.unanswered(), s.flagged()
        self.query_one("#exam-review-summary", Static).update(
            f"[b]Review before you submit[/b]\n{len(s.questions) - len(unanswered)} answered · "
            f"[b]{len(unanswered)} unanswered[/b] · [b]{len(flagged)} flagged[/b] · "
            f"{format_time(s.remaining())} left"
        )
        table = self.query_one(DataTable)
        table.add_columns("Question", "Status")
        for i in sorted(set(unanswered) | set(flagged)):
            status = ", ".join(x for x, on in (("unanswered", i in unanswered), ("flagged", i in flagged)) if on)
            table.add_row(str(i + 1), status, key=str(i))
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(int(event.row_key.value))

    def action_noop(self) -> None:
        pass

    def action_submit(self) -> None:
        if getattr(self, "armed", False):
            self.dismiss("submit")
            return
        self.armed = True
        left = len(self.session.unanswered())
        warning = f"{left} question(s) are unanswered and will count as wrong. " if left else ""
        self.query_one("#exam-review-summary", Static).update(
            f"[b]Submit the exam?[/b] {warning}Press [b]s[/b] again to submit, Esc to go back."
        )


class ResultsScreen(Screen):
    """Score, pass or fail, per-domain breakdown, and every question with its explanation."""

    BINDINGS = [Binding("escape,q", "close", "Done"), Binding("o", "open_lesson", "Open lesson")]

    def __init__(self, session: Any, catalog: Any, outcome: Any) -> None:
        super().__init__()
        self.session, self.catalog, self.outcome = session, catalog, outcome

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="exam-results"):
            yield Static("", id="exam-score")
            yield DataTable(id="exam-questions", cursor_type="row")
            yield Static("", id="exam-explain")
        yield Footer()

    def on_mount(self) -> None:
        o, s = self.outcome, self.session
        verdict = "[b green]PASS[/]" if o.passed else "[b red]NOT YET[/]"
        lines = [
            f"[b]{escape(s.profile.title)}[/b]  {verdict}  scaled score [b]{o.scaled}[/b] "
            f"(pass {s.profile.scoring.passing}) · {o.correct}/{o.total} correct",
            "",
        ]
        for d in o.domains:
            bar = "█" * round(d.percent / 5)
            lines.append(f"  {escape(d.name):<44} {d.correct:>3}/{d.total:<3} {d.percent:5.1f}% {bar}")
        from tutor.exam.readiness import for_profile, summary_lines

        lines.append("")
        lines += [escape(line) for line in summary_lines(for_profile(self.catalog, s.profile).as_dict(), s.profile.id)]
        lines.append("\nWrong answers were added to Review as lapses. Select a question to read why.")
        self.query_one("#exam-score", Static).update("\n".join(lines))
        table = self.query_one(DataTable)
        table.add_columns("#", "", "Domain", "Question")
        for i, q in enumerate(s.questions):
            mark = "✔" if s.correct.get(i) else ("✘" if i in s.responses else "·")
            table.add_row(
                str(i + 1), mark, q.domain.get(s.profile.family, ""), q.prompt.strip().splitlines()[0][:70], key=str(i)
            )
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        i = int(event.row_key.value)
        q = self.session.questions[i]
        seed = self.session.seed
        yours = describe(q, self.session.responses.get(i), seed)
        self.selected = q
        self.query_one("#exam-explain", Static).update(
            f"\n[b]Q{i + 1}.[/b] {escape(reflow(q.prompt))}\n\nYour answer: [b]{escape(str(yours))}[/b] · "
            f"correct: [b]{escape(describe(q, q.answer, seed))}[/b]\n\n{escape(reflow(q.explanation))}\n\n"
            f"[dim]Lesson {q.lesson} (press o to open)[/dim]"
        )

    def action_open_lesson(self) -> None:
        q = getattr(self, "selected", None)
        if q is not None:
            lesson, _, anchor = q.lesson.partition("#")
            self.dismiss(None)
            self.app.open_lesson(lesson, anchor or None)

    def action_close(self) -> None:
        self.dismiss(None)
