"""`tutor review`, `tutor review optimize|settings`, `tutor stats`, `tutor export anki`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

review_app = typer.Typer(
    help="Spaced-repetition review (FSRS): a plain-terminal session, settings, optimisation.",
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
)
export_app = typer.Typer(
    help="Export your questions and progress to other tools.", no_args_is_help=True, rich_markup_mode=None
)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"tutor: {message}", err=True)
    raise typer.Exit(code)


def _catalog():
    from tutor.content import load_catalog

    return load_catalog()


def _say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _ask(prompt: str) -> str | None:
    """One line from stdin; None at end of input (a script ran out, or Ctrl+D)."""
    sys.stdout.write(prompt)
    sys.stdout.flush()
    line = sys.stdin.readline()
    return None if line == "" else line.rstrip("\n")


HOW = {
    "single": "a letter or number",
    "multi": "{n} letters, e.g. a c",
    "order": "the letters in order, e.g. cab",
    "true_false": "t or f",
    "numeric": "a number",
}


@review_app.callback()
def review(
    ctx: typer.Context,
    limit: int | None = typer.Option(None, "--limit", "-n", min=1, help="Stop after this many answers."),
    lesson: str | None = typer.Option(None, "--lesson", help="Practise one lesson or section: s3 or s3#versioning."),
) -> None:
    """Review today's questions in the terminal, reading answers from stdin (scripts welcome; EOF ends it)."""
    if ctx.invoked_subcommand is not None:
        return
    from tutor.srs import ReviewError
    from tutor.srs.present import ResponseError, parse
    from tutor.srs.scheduler import RATING_NAMES
    from tutor.srs.session import ReviewSession, lesson_link, when

    catalog = _catalog()
    if lesson and not catalog.resolve(lesson):
        _fail(f"no lesson or section {lesson!r}; `tutor lessons list` shows the chapters")
    session = ReviewSession(catalog, scope=lesson)
    session.load()
    t = session.today
    _say(
        f"Review {t.day}: {t.reviews_left} due, {t.new_left} new today. "
        "Answer with letters or numbers; q quits, Ctrl+D ends."
    )
    try:
        while session.current is not None and (limit is None or session.answered < limit):
            p = session.current
            q = p.question
            _say()
            _say(f"[{session.answered + 1}] {q.id} · {lesson_link(catalog, q)[2]}")
            _say(q.prompt.strip())
            for letter, option in zip("ABCDEFGHI", p.options):
                _say(f"  {letter}) {option}")
            how = HOW[q.type].format(n=q.choose)
            while True:
                line = _ask(f"answer ({how}{', ' + q.unit if q.unit else ''})> ")
                if line is None or line.strip().lower() in ("q", "quit"):
                    return _summary(session)
                if not line.strip():
                    continue
                try:
                    response = parse(p, line)
                    break
                except ResponseError as exc:
                    _say(f"  {exc}")
            outcome = session.answer(response)
            _say("✓ Correct." if outcome.correct else f"✗ Not quite: the answer is {p.correct_answer()}.")
            _say(q.explanation.strip())
            _say(f"Lesson: {q.lesson}" + (f" · Lab: {q.lab}" if q.lab else ""))
            _say(f"Recorded as {outcome.recorded.rating_name} (next {when(outcome.recorded.due)}).")
            while True:
                line = _ask("enter next · 1-4 re-rate (Again Hard Good Easy) · u undo · q quit> ")
                if line is None or line.strip().lower() in ("q", "quit"):
                    return _summary(session)
                key = line.strip().lower()
                if key in ("1", "2", "3", "4"):
                    outcome = session.override(int(key))
                    _say(f"Recorded as {RATING_NAMES[int(key)]} (next {when(outcome.recorded.due)}).")
                    continue
                if key == "u":
                    session.undo()
                    _say("Undone: the question comes back.")
                    break
                session.next()
                break
    except ReviewError as exc:
        _fail(str(exc))
    _summary(session)


def _summary(session) -> None:
    from tutor.srs.session import when

    _say()
    done = f"{session.answered} answered, {session.right} right"
    if session.current is None:
        nxt = session.queue.next_due
        _say(f"Done for now: {done}." + (f" The next card is due {when(nxt)}." if nxt else ""))
    else:
        _say(f"Stopped: {done}. Run `tutor review` to carry on.")


@review_app.command("optimize")
def optimize_cmd(
    min_reviews: int = typer.Option(400, "--min-reviews", min=1, help="Refuse to fit on fewer answers."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report the fit without adopting it."),
) -> None:
    """Fit FSRS parameters to your review log; adopt them only if they predict it better."""
    from tutor.srs import ReviewError
    from tutor.srs.optimize import optimize

    try:
        result = optimize(min_reviews=min_reviews, adopt=not dry_run)
    except ReviewError as exc:
        _fail(str(exc), 1)
    _say(f"{result.reviews} answers, {result.items} training items")
    _say(f"log loss with the current parameters: {result.current_loss:.4f}")
    _say(f"log loss with the fitted parameters:  {result.new_loss:.4f}")
    if result.adopted:
        _say("Adopted the fitted parameters: " + ", ".join(f"{w:.4f}" for w in result.new))
    elif result.new_loss < result.current_loss:
        _say("The fitted parameters fit better (not adopted: --dry-run).")
    else:
        _say("Kept the current parameters: the fitted ones do not fit your log better.")


@review_app.command("settings")
def settings_cmd(
    retention: float | None = typer.Option(None, "--retention", help="Desired retention, 0.70-0.99."),
    new: int | None = typer.Option(None, "--new", help="New cards per day."),
    max_reviews: int | None = typer.Option(None, "--max-reviews", help="Reviews per day at most."),
    day_starts: int | None = typer.Option(None, "--day-starts", help="Local hour a study day begins (0-23)."),
    reset_parameters: bool = typer.Option(False, "--reset-parameters", help="Go back to the default FSRS weights."),
) -> None:
    """Show the review settings, or change some of them."""
    from tutor.srs import ReviewError
    from tutor.srs.config import load_settings, save_settings

    changes = {
        k: v
        for k, v in {
            "desired_retention": retention,
            "daily_new": new,
            "max_reviews": max_reviews,
            "day_starts_hour": day_starts,
        }.items()
        if v is not None
    }
    if reset_parameters:
        changes["parameters"] = None
    try:
        settings = save_settings(**changes) if changes else load_settings()
    except ReviewError as exc:
        _fail(str(exc))
    if "day_starts_hour" in changes:
        from tutor.srs.stats import rebuild_daily

        rebuild_daily()  # a day's totals depend on where days begin
    _say(f"desired retention  {settings.desired_retention:.2f}")
    _say(f"new cards per day  {settings.daily_new}")
    _say(f"max reviews/day    {settings.max_reviews}")
    _say(f"day starts at      {settings.day_starts_hour:02d}:00 local time")
    _say(
        "FSRS parameters    "
        + (
            "defaults"
            if settings.parameters is None
            else "fitted: " + ", ".join(f"{w:.3f}" for w in settings.parameters)
        )
    )


def stats(
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Recompute the daily totals from the review log first."),
) -> None:
    """Due forecast, review heatmap, true retention and mastery."""
    from tutor.srs.stats import gather, rebuild_daily

    catalog = _catalog()
    if rebuild:
        rebuild_daily()
    data = gather(catalog)
    if as_json:
        _say(json.dumps(data.to_dict(), indent=2))
        return
    from tutor.srs.render import stats_text

    _say(stats_text(data, color=sys.stdout.isatty()))


def export_anki(file: Path = typer.Argument(..., help="The .apkg file to write.")) -> None:
    """Write the question bank and your progress to an Anki deck (one subdeck per chapter)."""
    if file.suffix.lower() != ".apkg":
        _fail(f"{file} should end in .apkg")
    from tutor.srs.anki import export_anki as export

    notes, seen = export(_catalog(), file)
    _say(f"Wrote {notes} notes ({seen} with your progress) to {file}")


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
    app.command("stats")(stats)
    export_app.command("anki")(export_anki)
    app.add_typer(export_app, name="export")
