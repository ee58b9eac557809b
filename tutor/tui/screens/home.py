"""Home: due reviews, lesson progress and the next suggested step."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from ..base import ModeScreen


@dataclass
class HomeData:
    today: object | None = None  # tutor.srs.queue.Today: the counts every screen shares
    lessons: list[tuple[str, str, int, int]] = field(default_factory=list)  # id, title, read, total
    labs_passed: int = 0
    labs_total: int = 0
    steps: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    plan: object | None = None  # tutor.srs.plan.TodayPlan
    workshop: tuple[str, list] | None = None  # (title, agenda entries) of a joined workshop


def gather(catalog) -> HomeData:
    from tutor.exam.steps import Step, lab_for_lapses, lesson_progress, next_steps
    from tutor.srs.plan import recent_lapses_by_domain, today_plan
    from tutor.srs.queue import load_today
    from tutor.store import StoreError
    from tutor.store.progress import snapshot

    problems = [str(p) for p in catalog.problems]
    try:
        snap = snapshot()
        today = load_today(catalog)
    except StoreError as exc:
        return HomeData(problems=problems, error=str(exc))
    progress = lesson_progress(catalog, snap)
    steps = next_steps(catalog, snap, today)
    plan = today_plan(catalog)
    if plan is not None and plan.lab_id:
        # under a plan, the lab for the weakest domain replaces the generic suggestion
        lab = catalog.labs[plan.lab_id]
        steps = [s for s in steps if not s.action.startswith("app.open_lab")]
        steps.append(Step(f"Today's lab: {lab.title}", f"app.open_lab('{lab.id}')", "b"))
    repair = lab_for_lapses(catalog, recent_lapses_by_domain(catalog))
    if repair:
        steps.insert(1 if steps else 0, repair)
    return HomeData(
        plan=plan,
        today=today,
        lessons=[(lid, catalog.lessons[lid].title, *progress[lid]) for lid in catalog.lessons],
        labs_passed=len(snap.labs_passed & catalog.labs.keys()),
        labs_total=len(catalog.labs),
        steps=steps,
        problems=problems,
        workshop=_workshop(catalog),
    )


def _workshop(catalog) -> tuple[str, list] | None:
    from tutor import paths

    if not paths.workshop_file().exists():  # not joined: load nothing of the workshop client
        return None
    from tutor.store.outbox import active_membership
    from tutor.workshop.client import agenda

    membership = active_membership()
    return (membership.title, agenda(membership, catalog)) if membership else None


class HomeScreen(ModeScreen):
    MODE = "home"
    load = staticmethod(gather)

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="home"):
            yield Static("[b]Welcome to aws-tutor[/b]  [dim]learn AWS hands-on, offline[/dim]", id="welcome")
            with Horizontal(id="tiles"):
                yield Static("Review\n[dim]loading…[/dim]", id="tile-review", classes="tile")
                yield Static("Lessons\n[dim]loading…[/dim]", id="tile-lessons", classes="tile")
                yield Static("Labs\n[dim]loading…[/dim]", id="tile-labs", classes="tile")
            workshop = Static("", id="workshop")
            workshop.display = False  # shown only while a workshop is joined
            yield workshop
            yield Static("", id="next-steps")
            yield Static("", id="chapters")
            yield Static("", id="problems")

    sender = None  # the workshop's outbox sender, while a workshop is joined

    def on_mount(self) -> None:
        self.reload()

    def on_unmount(self) -> None:
        if self.sender is not None:
            self.sender.close()

    def _sync_status(self, text: str) -> None:
        """From the sender's thread: the latest delivery news, under the agenda."""

        def show() -> None:
            self.sync_text = text
            self._render_workshop()

        self.app.call_from_thread(show)

    sync_text = ""
    workshop_data: tuple[str, list] | None = None

    def show(self, data: HomeData) -> None:
        self._show_workshop(data)
        t = data.today
        if t is not None:
            self.query_one("#tile-review", Static).update(
                f"[b]Review[/b]\n{t.due_today} due today ({t.due_now} now)\n{t.new_left} new today · {t.new_available} unseen"
            )
        read = sum(r for *_, r, _t in data.lessons)
        total = sum(t for *_, t in data.lessons)
        self.query_one("#tile-lessons", Static).update(
            f"[b]Lessons[/b]\n{len(data.lessons)} chapters\n{read}/{total} sections read"
        )
        self.query_one("#tile-labs", Static).update(f"[b]Labs[/b]\n{data.labs_total} labs\n{data.labs_passed} passed")
        steps = self.query_one("#next-steps", Static)
        plan_text = ""
        if data.plan is not None:
            p = data.plan
            weak = ", ".join(f"{name} {m:.0%}" for _, name, m in p.weakest)
            plan_text = (
                f"[b]Today's plan[/b] · {p.plan.profile_id} in [b]{p.days_left}[/b] days: "
                f"{p.reviews} reviews · {p.new} new cards · one lab\n  weakest: {weak}\n\n"
            )
        if data.error:
            steps.update(f"[b red]Progress is unavailable[/]: {data.error}")
        elif data.steps:
            lines = ["[b]Next step[/b]"] + [
                f"  [@click={s.action}]▶ {s.text}[/]  [dim]{s.key}[/dim]" for s in data.steps
            ]
            steps.update(plan_text + "\n".join(lines))
        else:
            steps.update(
                "[b]Next step[/b]\n  No content is installed yet. Run [b]tutor doctor[/b] to see where "
                "content is looked for, or add your own with TUTOR_CONTENT_PATH."
            )
        chapters = self.query_one("#chapters", Static)
        if data.lessons:
            from tutor.content.text import fit

            rows = ["[b]Chapters[/b]"]
            width = min(CHAPTER_TITLE_WIDTH, max(len(title) for _, title, _, _ in data.lessons))
            for lid, title, done, total in data.lessons:
                bar = _bar(done, total)
                rows.append(
                    f"  [@click=app.open_lesson('{lid}')]{escape(fit(title, width)):<{width}}[/] {bar} {done}/{total}"
                )
            chapters.update("\n".join(rows))
        problems = self.query_one("#problems", Static)
        if data.problems:
            shown = "\n".join(f"  {p}" for p in data.problems[:8])
            more = f"\n  … and {len(data.problems) - 8} more" if len(data.problems) > 8 else ""
            problems.update(
                f"[b yellow]{len(data.problems)} content problem(s): the items concerned were skipped.[/] "
                f"Run [b]tutor validate[/b] for the full list.\n{shown}{more}"
            )
        else:
            problems.update("")

    def _show_workshop(self, data: HomeData) -> None:
        panel = self.query_one("#workshop", Static)
        panel.display = data.workshop is not None
        if data.workshop is None:
            return
        if self.sender is None:
            from tutor.workshop.client import Sender

            self.sender = Sender(self._sync_status).start()
        else:
            self.sender.nudge()  # whatever the learner just did goes out now
        self.workshop_data = data.workshop
        self._render_workshop()

    def _render_workshop(self) -> None:
        if self.workshop_data is None:
            return
        title, entries = self.workshop_data
        upcoming = next((e for e in entries if not e.done), None)
        done = sum(e.done for e in entries)
        rows = [f"[b]Workshop[/b] · {escape(title)} · {done}/{len(entries)} done"]
        for e in entries:
            mark = "[green]✔[/]" if e.done else ("[b]→[/]" if e is upcoming else "[dim]·[/]")
            text = f"[b]{escape(e.title)}[/] [dim]next[/]" if e is upcoming else escape(e.title)
            rows.append(f"  {mark} {text}")
        if self.sync_text:
            rows.append(f"  [dim]sync: {escape(self.sync_text)}[/]")
        self.query_one("#workshop", Static).update("\n".join(rows) + "\n")


CHAPTER_TITLE_WIDTH = 52  # longer titles are cut, so every progress bar starts in the same column


def _bar(done: int, total: int, width: int = 12) -> str:
    filled = round(width * done / total) if total else 0
    return f"[green]{'█' * filled}[/][dim]{'░' * (width - filled)}[/]"
