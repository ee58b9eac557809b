"""Exam mode: mock exams, practice sets, interview drills, and the history of attempts."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from ..base import EmptyState, ModeScreen


def gather(catalog) -> dict[str, Any]:
    from tutor.store import exams as records

    active = records.active_attempt()
    attempt = records.get_attempt(active) if active else None
    return {"catalog": catalog, "active": attempt, "history": records.history()}


class ExamScreen(ModeScreen):
    MODE = "exam"
    load = staticmethod(gather)
    BINDINGS = [
        Binding("enter", "start('exam')", "Start", show=False),
        Binding("x", "start('practice')", "Practice mode"),
        Binding("c", "resume", "Continue exam"),
        Binding("t", "target", "Set exam date"),
    ]

    def compose_body(self) -> ComposeResult:
        yield EmptyState("Loading exams…", id="exam-empty")
        yield Static("", id="exam-resume")
        with Horizontal(id="exam-home"):
            with Vertical(classes="exam-col"):
                yield Static("[b]Mock exams[/b]\n[dim]Enter: timed exam · x: practice mode · t: your exam date[/dim]")
                yield OptionList(id="exam-profiles")
                yield Static("[b]Practice sets[/b]\n[dim]feedback after each answer[/dim]")
                yield OptionList(id="exam-practice")
            with Vertical(classes="exam-col"):
                yield Static("[b]Interview drills[/b]\n[dim]answer in your own words, then check the key points[/dim]")
                yield OptionList(id="exam-drills")
                yield Static("[b]History[/b]", id="exam-history-title")
                yield Static("", id="exam-history")
                yield Sparkline([], id="exam-trend")

    def on_mount(self) -> None:
        self.query_one("#exam-home").display = False
        self.data: dict[str, Any] = {}
        self.reload()

    def show(self, data: dict[str, Any]) -> None:
        self.data = data
        catalog = data["catalog"]
        empty = self.query_one("#exam-empty", EmptyState)
        if not catalog.exams and not catalog.drills:
            empty.update(
                "No exam profiles are installed yet.\n\nProfiles live in [b]question_bank/exams/[/b]; "
                "see docs/AUTHORING.md."
            )
            return
        empty.display = False
        self.query_one("#exam-home").display = True
        active = data["active"]
        resume = self.query_one("#exam-resume", Static)
        if active:
            answered = sum(a.response is not None for a in active.answers)
            left = max(0, active.time_limit_s - active.elapsed_s) / 60
            resume.update(
                f"[b yellow]An attempt is in progress[/]: {escape(active.profile_id)}, {answered}/"
                f"{len(active.answers)} answered, {left:.0f} min left. Press [b]c[/b] to continue."
            )
        resume.display = bool(active)
        if active and self.app.resume_exam:
            self.app.resume_exam = False
            self.action_resume()
        profiles = self.query_one("#exam-profiles", OptionList)
        _refill(
            profiles,
            [
                Option(
                    f"{escape(p.title)}  [dim]{p.questions} q · {p.minutes} min · pass {p.scoring.passing}[/dim]",
                    id=p.id,
                )
                for p in catalog.exams.values()
            ],
        )
        practice = [Option("Wrong answers only", id="wrong"), Option("Weakest cards first", id="weakest")]
        family = catalog.families.get("saa")
        practice += [
            Option(f"Domain: {escape(d.name)}", id=f"domain--{d.id}") for d in (family.domains if family else [])
        ]
        practice += [
            Option(f"Chapter {lesson.order}: {escape(lesson.title)}", id=f"chapter--{lesson.id}")
            for lesson in catalog.lessons.values()
        ]
        _refill(self.query_one("#exam-practice", OptionList), practice)
        _refill(
            self.query_one("#exam-drills", OptionList),
            [Option(f"[dim]{d.minutes:>2} min[/dim]  {escape(d.title)}", id=d.id) for d in catalog.drills.values()]
            or [Option("[dim]No drills installed yet[/dim]", disabled=True)],
        )
        self.show_history(data["history"])
        if self.focused is None:
            profiles.focus()

    def show_history(self, history: list) -> None:
        box = self.query_one("#exam-history", Static)
        trend = self.query_one("#exam-trend", Sparkline)
        exams = [h for h in history if not h.profile_id.startswith("practice-")]
        trend.display = len(exams) > 1
        if not exams:
            box.update("[dim]No exams submitted yet. Your scores and their trend appear here.[/dim]")
            return
        lines = []
        for h in exams[-8:]:
            verdict = "[green]pass[/]" if h.passed else "[red]fail[/]"
            lines.append(
                f"#{h.id:<3} {h.submitted_at:%Y-%m-%d} {escape(h.profile_id):<8} {h.scaled_score:>4} {verdict}"
            )
        scores = [h.scaled_score or 0 for h in exams]
        lines.append(f"\nlatest {scores[-1]} · best {max(scores)} · trend (oldest → newest):")
        box.update("\n".join(lines))
        trend.data = scores

    # -- actions -------------------------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        list_id = event.option_list.id
        if list_id == "exam-profiles":
            self.begin(lambda catalog, s=event.option.id: _start(catalog, s, "exam"))
        elif list_id == "exam-practice":
            kind, _, arg = event.option.id.partition("--")
            self.begin(lambda catalog: _practice(catalog, kind, arg))
        elif list_id == "exam-drills":
            from .drill import DrillScreen

            self.app.push_screen(DrillScreen(self.data["catalog"].drills[event.option.id]))

    def action_start(self, mode: str) -> None:
        profiles = self.query_one("#exam-profiles", OptionList)
        if self.focused is profiles and profiles.highlighted is not None:
            profile_id = profiles.get_option_at_index(profiles.highlighted).id
            self.begin(lambda catalog: _start(catalog, profile_id, mode))

    def action_target(self) -> None:
        profiles = self.query_one("#exam-profiles", OptionList)
        if profiles.highlighted is None:
            return
        profile = profiles.get_option_at_index(profiles.highlighted).id
        self.app.push_screen(PlanDialog(profile), self._set_plan)

    def _set_plan(self, result) -> None:
        if not result:
            return
        day, profile = result

        def save(_catalog):
            from tutor.srs.plan import set_plan

            return set_plan(day, profile)

        self.in_background(
            save,
            lambda plan: self.notify(
                f"Study plan set: {plan.profile_id} on {plan.exam_date:%d %b %Y}. Home shows today's plan."
            ),
            group="plan",
        )

    def action_resume(self) -> None:
        active = self.data.get("active")
        if active is None:
            self.notify("No exam is in progress.")
            return
        self.begin(lambda catalog: _resume(catalog, active.id))

    def begin(self, make) -> None:
        """Create or load the attempt in a worker, then open the sitting screen."""
        from tutor.exam.assemble import ExamError

        def opened(result) -> None:
            if isinstance(result, ExamError):
                self.notify(str(result), severity="warning")
                return
            from .exam_sitting import ExamSittingScreen

            self.app.push_screen(ExamSittingScreen(result, self.data["catalog"]))

        def compute(catalog):
            try:
                return make(catalog)
            except ExamError as exc:
                return exc

        self.in_background(compute, opened, group="exam-start")


def _start(catalog, profile_id: str, mode: str):
    from tutor.exam.session import ExamSession

    return ExamSession.start(catalog, profile_id, mode=mode)


def _practice(catalog, kind: str, arg: str):
    from tutor.exam.session import ExamSession

    return ExamSession.start_practice(catalog, kind, arg)


def _resume(catalog, attempt_id: int):
    from tutor.exam.session import ExamSession

    return ExamSession.resume(catalog, attempt_id)


class PlanDialog(ModalScreen):
    """Ask for the exam date of a study plan."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, profile_id: str) -> None:
        super().__init__()
        self.profile_id = profile_id

    def compose(self) -> ComposeResult:
        with Vertical(id="plan-dialog"):
            yield Static(
                f"[b]Study plan for {escape(self.profile_id)}[/b]\nOn what day is your exam? "
                "Reviews and new cards are then paced so you arrive ready."
            )
            yield Input(placeholder="YYYY-MM-DD", id="plan-date")
            yield Static("", id="plan-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from datetime import date

        try:
            day = date.fromisoformat(event.value.strip())
        except ValueError:
            self.query_one("#plan-error", Static).update("[red]Type the date as YYYY-MM-DD, e.g. 2027-01-15[/]")
            return
        if day <= date.today():
            self.query_one("#plan-error", Static).update("[red]The exam date must be in the future[/]")
            return
        self.dismiss((day, self.profile_id))


def _refill(options: OptionList, items: list[Option]) -> None:
    """Replace a list's options and keep its highlighted row, so Enter always has something to open."""
    previous = options.highlighted or 0
    options.clear_options()
    options.add_options(items)
    if any(not item.disabled for item in items):
        options.highlighted = min(previous, options.option_count - 1)
