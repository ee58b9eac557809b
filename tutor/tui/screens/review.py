"""Review: one question at a time, answered by key; after each answer the correct one, why, and where to learn it.

Every answer is committed by a worker thread before the screen says "Recorded", so a killed app loses
nothing it reported as saved. Keys depend on the phase; the footer shows the ones that apply.
"""

from __future__ import annotations

import math
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input, Markdown, Static

from ..base import EmptyState, ModeScreen

LETTERS = "ABCDEFGHI"
OPTION_KEYS = "123456789abcdefghi"
RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
HOW = {
    "single": "Press [b]1-{n}[/b] or [b]a-{l}[/b] to answer.",
    "multi": "Choose {c}: press [b]1-{n}[/b] or [b]a-{l}[/b] to toggle, then [b]enter[/b].",
    "order": "Type the letters in the right order, then [b]enter[/b] ([b]backspace[/b] removes one).",
    "true_false": "Press [b]t[/b] (true) or [b]f[/b] (false); [b]1[/b]/[b]2[/b] work too.",
    "numeric": "Type a number, then [b]enter[/b].",
}


class ReviewScreen(ModeScreen):
    MODE = "review"

    BINDINGS = [
        Binding("escape", "leave", "Leave session"),
        # question phase: option keys (shadowing the app's b/e/h only while a question is on screen)
        Binding("1", "pick('1')", "Choose", key_display="1-9/a-i"),
        *[Binding(k, f"pick('{k}')", show=False) for k in OPTION_KEYS[1:]],
        Binding("t", "truth(True)", "True"),
        Binding("f", "truth(False)", "False"),
        Binding("backspace", "erase", "Erase", show=False),
        Binding("enter", "submit", "Submit"),
        # answer phase
        Binding("1", "rate(1)", "Again"),
        Binding("2", "rate(2)", "Hard"),
        Binding("3", "rate(3)", "Good"),
        Binding("4", "rate(4)", "Easy"),
        Binding("space,enter", "next", "Next", key_display="space"),
        Binding("o", "lesson", "Lesson"),
        Binding("b", "lab", "Lab"),
        Binding("u", "undo", "Undo"),
        # between sessions
        Binding("enter,space", "restart", "Start", key_display="enter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.phase = "loading"  # loading | question | saving | answer | done
        self.session: Any = None
        self.scope: str | None = None
        self.picked: list[str] = []  # shown letters chosen so far (multi: a set in order; order: a sequence)
        self.outcome: Any = None
        self.link: tuple[str, str | None, str] | None = None
        self._ready = False  # composed and mounted

    def compose_body(self) -> ComposeResult:
        yield Static("", id="rv-header")
        with VerticalScroll(id="rv-card"):
            yield Static("", id="rv-meta")
            yield Markdown("", id="rv-prompt")
            yield Static("", id="rv-options")
            yield Input(placeholder="your answer", id="rv-input", restrict=r"[-0-9.,eE ]*")
            yield Static("", id="rv-hint")
            yield Static("", id="rv-verdict")
            yield Markdown("", id="rv-explanation")
            yield Static("", id="rv-links")
            yield Static("", id="rv-recorded")
        yield EmptyState("Loading today's questions…", id="rv-empty")

    # -- lifecycle ------------------------------------------------------------------

    def on_mount(self) -> None:
        self.query_one("#rv-card").display = False
        self.query_one("#rv-input").display = False
        self._ready = True
        self.start(self.scope)

    def on_screen_resume(self) -> None:
        if self.phase == "done":  # cards may have fallen due, or a lesson read meanwhile
            self.start(self.scope)

    def start(self, scope: str | None = None) -> None:
        """Begin a session: today's queue (scope None) or one lesson/section ("s3", "s3#versioning")."""
        self.scope = scope
        if not self._ready:
            return  # on_mount starts it
        self._set_phase("loading")
        self.query_one("#rv-empty", EmptyState).update(
            f"Loading {'questions on ' + scope if scope else 'today' + chr(39) + 's questions'}…"
        )

        previous = self.session

        def load(catalog):
            from tutor.srs.session import ReviewSession

            session = ReviewSession(catalog, scope=scope)
            if previous is not None and previous.history:  # undo still reaches the last answer
                session.history = [(0, previous.history[-1][1])]
                session.answered, session.right = previous.answered, previous.right
            session.load()
            return session

        self.in_background(load, self._loaded, group="review-load")

    def _loaded(self, session) -> None:
        self.session = session
        self._show_current()

    # -- rendering --------------------------------------------------------------------

    def _set_phase(self, phase: str) -> None:
        self.phase = phase
        card = phase in ("question", "saving", "answer")
        self.query_one("#rv-card").display = card
        self.query_one("#rv-empty").display = not card
        self.refresh_bindings()
        self._header()

    def _header(self) -> None:
        s = self.session
        title = f"Practise [b]{escape(self.scope)}[/b]" if self.scope else "[b]Review[/b]"
        parts = [title]
        if s is not None:
            t = s.today
            to_go = s.to_go(current_answered=self.phase == "answer")
            if self.scope or t is None:
                parts.append(f"{to_go} to go")
            else:
                parts.append(f"{to_go} to go ({t.reviews_left} due · {max(0, to_go - t.reviews_left)} new)")
            if s.answered:
                parts.append(f"{s.answered} answered, {s.right} right")
        self.query_one("#rv-header", Static).update("  ·  ".join(parts))

    def _show_current(self) -> None:
        s = self.session
        if s is None or s.current is None:
            self._show_done()
            return
        from tutor.srs.scheduler import STATE_NAMES
        from tutor.srs.session import lesson_link

        p = s.current
        q = p.question
        self.picked = []
        self.outcome = None
        self.link = lesson_link(s.catalog, q)
        state = STATE_NAMES.get(s.item.state, "") if s.item else ""
        self.query_one("#rv-meta", Static).update(
            f"[dim]{escape(q.id)} · {escape(self.link[2])} · {state} card · difficulty {q.difficulty}[/dim]"
        )
        self.query_one("#rv-prompt", Markdown).update(q.prompt)
        n = len(p.options)
        self.query_one("#rv-hint", Static).display = True
        self.query_one("#rv-hint", Static).update(
            HOW[q.type].format(n=n, l=LETTERS[max(n - 1, 0)].lower(), c=q.choose) + "  [dim]esc leaves[/dim]"
        )
        for wid in ("#rv-verdict", "#rv-links", "#rv-recorded"):
            self.query_one(wid, Static).update("")
        self.query_one("#rv-explanation", Markdown).update("")
        self.query_one("#rv-explanation").display = False
        inp = self.query_one("#rv-input", Input)
        inp.display = q.type == "numeric"
        inp.value = ""
        if q.unit:
            inp.placeholder = f"your answer, in {q.unit}"
        self._set_phase("question")
        self._render_options()
        if q.type == "numeric":
            inp.focus()
        else:
            self.set_focus(None)
        self.query_one("#rv-card", VerticalScroll).scroll_home(animate=False)

    def _render_options(self, outcome=None) -> None:
        p = self.session.current
        q = p.question
        lines = []
        if q.type == "true_false":
            options = [("T", "True"), ("F", "False")]
        else:
            options = list(zip(LETTERS, p.options))
        right: set[str] = set()
        if outcome is not None:
            if q.type == "single":
                right = {p.shown_letter(q.answer)}
            elif q.type == "multi":
                right = {p.shown_letter(a) for a in q.answer}
            elif q.type == "true_false":
                right = {"T" if q.answer else "F"}
        for letter, text in options:
            mark = "  "
            if q.type == "multi":
                mark = "■ " if letter in self.picked else "□ "
            elif q.type == "order" and letter in self.picked:
                mark = f"{self.picked.index(letter) + 1}."
            style = verdict = ""  # a mark as well as a colour, for readers who cannot tell red from green
            if outcome is not None and letter in right:
                style, verdict = "green", "  ✓"
            elif outcome is not None and self._chosen(letter, outcome):
                style, verdict = "red", "  ✗ your answer"
            label = f"{mark}[b]{letter}[/b]  {escape(text)}{verdict}"
            lines.append(f"[{style}]{label}[/]" if style else label)
        if q.type == "order" and self.picked:
            lines.append(f"\nYour order: [b]{''.join(self.picked)}[/b]")
        self.query_one("#rv-options", Static).update("\n".join(lines))

    def _chosen(self, letter: str, outcome) -> bool:
        r = outcome.response
        if isinstance(r, bool):
            return letter == ("T" if r else "F")
        return isinstance(r, (str, list)) and letter in r and self.session.current.kind in ("single", "multi")

    def _show_done(self) -> None:
        from tutor.srs.session import when

        s = self.session
        empty = self.query_one("#rv-empty", EmptyState)
        t = s.today if s else None
        nothing = (
            "Nothing to review right now."
            if not (s and s.answered)
            else f"Session done: {s.answered} answered, {s.right} right."
        )
        lines = [f"[b]{nothing}[/b]", ""]
        if s is not None and not s.catalog.questions:
            lines = [
                "[b]No questions are installed yet.[/b]",
                "",
                "Questions live in [b]question_bank/[/b] (see docs/AUTHORING.md); "
                "run [b]tutor validate[/b] to check them.",
            ]
        elif self.scope:
            lines.append(f"Nothing left to practise on [b]{escape(self.scope)}[/b] right now.")
        elif t is not None and t.new_available and not t.new_left:
            lines.append(
                f"You met today's {t.new_done} new cards; more come tomorrow "
                "(or change the limit: [b]tutor review settings --new N[/b])."
            )
        elif t is not None and not t.new_available and not t.due_now:
            lines.append("You have seen every question. Come back when cards fall due.")
        nxt = s.queue.next_due if s else None
        if nxt is not None:
            lines.append(f"The next card is due {when(nxt)}.")
        lines += ["", "Press [b]enter[/b] to check again, [b]s[/b] for your statistics, or [b]l[/b] to read a chapter."]
        empty.update("\n".join(lines))
        self._set_phase("done")

    # -- bindings -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        phase = self.phase
        kind = self.session.current.kind if self.session and self.session.current else None
        if action == "pick":
            if phase != "question" or kind in (None, "numeric"):
                return False
            if kind == "true_false":
                return parameters[0] in ("1", "2")
            return True
        if action == "truth":
            return phase == "question" and kind == "true_false"
        if action == "erase":
            return phase == "question" and kind == "order"
        if action == "submit":
            return phase == "question" and kind in ("multi", "order")
        if action in ("rate", "next", "lesson"):
            return phase == "answer"
        if action == "lab":
            return phase == "answer" and bool(self.session.current.question.lab)
        if action == "undo":
            return phase in ("question", "answer", "done") and bool(self.session and self.session.history)
        if action == "leave":
            return phase in ("question", "answer")
        if action == "restart":
            return phase == "done"
        return True

    def action_pick(self, key: str) -> None:
        from tutor.srs.present import key_to_letter

        p = self.session.current
        if p.kind == "true_false":
            self._submit(key == "1")
            return
        letter = key_to_letter(key, len(p.options))
        if letter is None:
            self.app.bell()
            return
        if p.kind == "single":
            self._submit(letter)
        elif p.kind == "multi":
            if letter in self.picked:
                self.picked.remove(letter)
            else:
                self.picked.append(letter)
            self._render_options()
        elif p.kind == "order":
            if letter in self.picked:
                self.app.bell()
                return
            self.picked.append(letter)
            self._render_options()
            if len(self.picked) == len(p.options):
                self._submit(list(self.picked))

    def action_truth(self, value: bool) -> None:
        self._submit(value)

    def action_erase(self) -> None:
        if self.picked:
            self.picked.pop()
            self._render_options()

    def action_submit(self) -> None:
        p = self.session.current
        if p.kind == "multi":
            want = p.question.choose or len(p.question.answer)
            if len(self.picked) != want:
                self.notify(f"Choose {want} options ({len(self.picked)} chosen).", severity="warning")
                return
            self._submit(sorted(self.picked))
        elif p.kind == "order":
            if len(self.picked) != len(p.options):
                self.notify(f"Put all {len(p.options)} letters in order.", severity="warning")
                return
            self._submit(list(self.picked))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.phase != "question":
            return
        from tutor.srs.present import ResponseError, parse

        try:
            value = parse(self.session.current, event.value)
        except ResponseError as exc:
            self.notify(str(exc), severity="warning")
            return
        if isinstance(value, float) and math.isnan(value):  # empty input
            self.notify("Type a number first.", severity="warning")
            return
        self._submit(value)

    def _submit(self, response) -> None:
        """Record the answer in a worker; show it as recorded only once it is committed."""
        s = self.session
        duration = s.elapsed_ms()
        self._set_phase("saving")
        self.query_one("#rv-input", Input).display = False
        self.set_focus(None)

        def write():
            outcome = s.answer(response, duration)
            s.refresh_today()
            return outcome

        self._write(write, self._answered)

    def _write(self, job, then) -> None:
        def run() -> None:
            try:
                result = job()
            except Exception as exc:  # noqa: BLE001 - a failed write is reported, never hidden
                self.app.call_from_thread(self._write_failed, exc)
                return
            self.app.call_from_thread(then, result)

        self.run_worker(run, thread=True, group="review-write", exit_on_error=False)

    def _write_failed(self, exc: Exception) -> None:
        self.notify(f"Could not save: {exc}", severity="error", timeout=10)
        self._show_current()

    def _answered(self, outcome) -> None:
        self.outcome = outcome
        p = outcome.presented
        q = p.question
        self._render_options(outcome)
        if outcome.correct:
            verdict = "[b green]✓ Correct[/]"
        else:
            yours = escape(p.describe(outcome.response))
            verdict = f"[b red]✗ Not quite[/] (you answered {yours}). The answer is [b]{escape(p.correct_answer())}[/b]"
        self.query_one("#rv-verdict", Static).update(verdict)
        expl = self.query_one("#rv-explanation", Markdown)
        expl.update(q.explanation)
        expl.display = True
        links = [f"[@click=screen.lesson]📖 [b]o[/b] {escape(self.link[2])}[/]"]
        if q.lab:
            labs = getattr(self.session.catalog, "labs", {})
            title = labs[q.lab].title if q.lab in labs else q.lab
            links.append(f"[@click=screen.lab]🧪 [b]b[/b] Lab: {escape(title)}[/]")
        self.query_one("#rv-links", Static).update("     ".join(links))
        self.query_one("#rv-hint", Static).display = False
        self._show_recorded()
        self._set_phase("answer")

    def _show_recorded(self) -> None:
        from tutor.srs.session import when

        rec = self.outcome.recorded
        keys = "  ".join(
            f"[b]{n}[/b] {name}" if n != rec.rating else f"[reverse] {n} {name} [/]" for n, name in RATING_NAMES.items()
        )
        self.query_one("#rv-recorded", Static).update(
            f"[green]Recorded as {rec.rating_name}[/] · next {when(rec.due)}      change: {keys}"
            "      [b]space[/b] next  [b]u[/b] undo"
        )

    def action_rate(self, rating: int) -> None:
        if self.outcome is None or self.outcome.rating == rating:
            return
        s = self.session
        self._set_phase("saving")
        self._write(lambda: s.override(rating), self._rerated)

    def _rerated(self, outcome) -> None:
        self.outcome = outcome
        self._show_recorded()
        self._set_phase("answer")

    def action_next(self) -> None:
        s = self.session
        self._set_phase("saving")

        def advance():
            s.next()  # may rebuild the queue when it runs out (learning steps come back)

        self._write(advance, lambda _: self._show_current())

    def action_undo(self) -> None:
        s = self.session
        self._set_phase("saving")

        def back():
            outcome = s.undo()
            s.refresh_today()
            return outcome

        def shown(outcome) -> None:
            self._show_current()
            if outcome is not None:
                self.notify(f"Took back your answer to {outcome.recorded.item_id}.")

        self._write(back, shown)

    def action_lesson(self) -> None:
        if self.link:
            self.app.open_lesson(self.link[0], self.link[1])  # type: ignore[attr-defined]

    def action_lab(self) -> None:
        lab = self.session.current.question.lab if self.session and self.session.current else None
        if lab:
            self.app.open_lab(lab)  # type: ignore[attr-defined]

    def action_leave(self) -> None:
        self.query_one("#rv-input", Input).display = False
        s = self.session
        empty = self.query_one("#rv-empty", EmptyState)
        empty.update(
            f"[b]Session paused[/b]: {s.answered} answered, {s.right} right. Every answer is saved.\n\n"
            "Press [b]enter[/b] to carry on with what is left, [b]s[/b] for statistics, [b]h[/b] for home."
        )
        self._set_phase("done")

    def action_restart(self) -> None:
        self.start(self.scope)
