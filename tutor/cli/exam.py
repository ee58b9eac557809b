"""`tutor exam ...`, `tutor drill ...` and `tutor plan`."""

from __future__ import annotations

import json
from datetime import date

import typer

exam_app = typer.Typer(help="Mock exams: profiles, history and results.", no_args_is_help=True, rich_markup_mode=None)
drill_app = typer.Typer(help="Interview drills.", no_args_is_help=True, rich_markup_mode=None)


def _catalog():
    from tutor.content import load_catalog

    return load_catalog()


def _fail(message: str) -> None:
    typer.echo(f"tutor: {message}", err=True)
    raise typer.Exit(2)


@exam_app.command("list")
def list_profiles(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """The exam profiles: questions, minutes, domains and the pass mark."""
    catalog = _catalog()
    rows = [
        {
            "id": p.id,
            "title": p.title,
            "family": p.family,
            "questions": p.questions,
            "minutes": p.minutes,
            "passing": p.scoring.passing,
            "scale": [p.scoring.min, p.scoring.max],
            "domains": {d.id: d.weight for d in p.domains},
        }
        for p in catalog.exams.values()
    ]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for r in rows:
        typer.echo(
            f"{r['id']:<10} {r['questions']:>3} questions {r['minutes']:>4} min  pass {r['passing']}  {r['title']}"
        )


def _results(catalog, attempt_id: int) -> dict:
    from tutor.exam.assemble import score
    from tutor.store.exams import get_attempt

    row = get_attempt(attempt_id)
    if row is None:
        _fail(f"there is no exam attempt {attempt_id}; `tutor exam history` lists them")
    profile = catalog.exams.get(row.profile_id)
    questions = []
    for a in row.answers:
        q = catalog.questions.get(a.question_id)
        questions.append(
            {
                "position": a.position + 1,
                "id": a.question_id,
                "answered": a.response is not None,
                "response": a.response,
                "correct": bool(a.correct),
                "flagged": a.flagged,
                "answer": q.answer if q else None,
                "lesson": q.lesson if q else None,
                "domain": q.domain.get(profile.family) if q and profile else None,
            }
        )
    domains = []
    readiness = None
    if profile:
        from tutor.exam.readiness import for_profile

        outcome = score(catalog, profile, {a.question_id: bool(a.correct) for a in row.answers})
        domains = [
            {"id": d.domain, "name": d.name, "correct": d.correct, "total": d.total, "percent": round(d.percent, 1)}
            for d in outcome.domains
        ]
        readiness = for_profile(catalog, profile).as_dict()
    return {
        "id": row.id,
        "profile": row.profile_id,
        "mode": row.mode,
        "seed": row.seed,
        "status": row.status,
        "started_at": row.started_at.isoformat(),
        "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
        "elapsed_s": round(row.elapsed_s, 1),
        "time_limit_s": row.time_limit_s,
        "correct": row.correct,
        "total": row.total,
        "scaled_score": row.scaled_score,
        "passed": row.passed,
        "domains": domains,
        "readiness": readiness,
        "questions": questions,
    }


@exam_app.command()
def start(
    profile: str,
    seed: int | None = typer.Option(None, help="The same seed gives everyone the same exam (for a class)."),
    practice: bool = typer.Option(False, "--practice", help="Practice mode: pause, and feedback after each answer."),
    open_app: bool = typer.Option(True, "--open/--no-open", help="Open the app to sit it now."),
) -> None:
    """Create an attempt (seeded for a class if you like), then sit it in the app."""
    from tutor.exam.assemble import ExamError
    from tutor.exam.session import ExamSession

    catalog = _catalog()
    try:
        session = ExamSession.start(
            catalog, profile, mode="practice" if practice else "exam", seed=seed, avoid_recent=seed is None
        )
    except ExamError as exc:
        _fail(str(exc))
    session.heartbeat()
    later = "" if open_app else " In the app: Exam (e), then c to continue."
    typer.echo(
        f"attempt #{session.attempt_id}: {session.profile.title}, {len(session.questions)} questions, "
        f"seed {session.seed}.{later}"
    )
    if open_app:
        from tutor.cli.main import open_tui

        raise typer.Exit(open_tui(mode="exam", resume_exam=True))


@exam_app.command()
def history(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    profile: str | None = typer.Option(None, help="Only this profile."),
) -> None:
    """Your submitted attempts, oldest first."""
    from tutor.store.exams import history as rows

    data = [
        {
            "id": r.id,
            "profile": r.profile_id,
            "mode": r.mode,
            "submitted_at": r.submitted_at.isoformat(),
            "correct": r.correct,
            "total": r.total,
            "scaled_score": r.scaled_score,
            "passed": r.passed,
        }
        for r in rows(profile)
    ]
    if as_json:
        typer.echo(json.dumps(data))
        return
    if not data:
        typer.echo("No exams submitted yet. Sit one in the app (tutor, then e).")
        return
    for d in data:
        verdict = "PASS" if d["passed"] else "fail"
        typer.echo(
            f"#{d['id']:<4} {d['submitted_at'][:16]}  {d['profile']:<10} {d['scaled_score']:>5}  {verdict}  "
            f"{d['correct']}/{d['total']}"
        )


@exam_app.command()
def results(attempt: int, as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """One attempt: score, per-domain breakdown and every question."""
    data = _results(_catalog(), attempt)
    if as_json:
        typer.echo(json.dumps(data))
        return
    verdict = {True: "PASS", False: "FAIL", None: "in progress"}[data["passed"]]
    typer.echo(
        f"Attempt #{data['id']} · {data['profile']} · {data['mode']} · {verdict} "
        f"{data['scaled_score'] if data['scaled_score'] is not None else ''}"
    )
    typer.echo(
        f"{data['correct']}/{data['total']} correct in {data['elapsed_s'] / 60:.0f} of "
        f"{data['time_limit_s'] / 60:.0f} minutes"
    )
    for d in data["domains"]:
        typer.echo(f"  {d['name']:<42} {d['correct']:>3}/{d['total']:<3} {d['percent']:5.1f}%")
    if data["readiness"]:
        from tutor.exam.readiness import summary_lines

        for line in summary_lines(data["readiness"], data["profile"]):
            typer.echo(line)
    for q in data["questions"]:
        mark = "✔" if q["correct"] else ("✘" if q["answered"] else "·")
        typer.echo(
            f"  {mark} {q['position']:>2}. {q['id']:<28} {'flagged ' if q['flagged'] else ''}→ lesson {q['lesson']}"
        )


@drill_app.command("list")
def list_drills(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """The interview drills."""
    catalog = _catalog()
    rows = [
        {"id": d.id, "title": d.title, "minutes": d.minutes, "lesson": d.lesson, "key_points": len(d.key_points)}
        for d in catalog.drills.values()
    ]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for r in rows:
        typer.echo(f"{r['id']:<36} {r['minutes']:>2} min  {r['title']}")


def plan(
    exam_date: str | None = typer.Option(None, "--exam-date", help="The exam day, YYYY-MM-DD."),
    profile: str | None = typer.Option(None, "--profile", help="The exam profile (tutor exam list)."),
    clear: bool = typer.Option(False, "--clear", help="Remove the plan."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Set a target exam date: reviews and new cards are then paced so you arrive ready."""
    from tutor.srs.plan import clear_plan, get_plan, set_plan, today_plan

    catalog = _catalog()
    if clear:
        clear_plan()
        typer.echo("Study plan removed.")
        return
    if exam_date or profile:
        if not (exam_date and profile):
            _fail("give both --exam-date YYYY-MM-DD and --profile ID")
        try:
            day = date.fromisoformat(exam_date)
        except ValueError:
            _fail(f"--exam-date expects YYYY-MM-DD, got {exam_date!r}")
        if day <= date.today():
            _fail("--exam-date must be in the future")
        if profile not in catalog.exams:
            _fail(f"unknown profile {profile!r}; profiles: {', '.join(sorted(catalog.exams))}")
        set_plan(day, profile)
    elif get_plan() is None:
        _fail("no study plan yet: tutor plan --exam-date YYYY-MM-DD --profile saa-c03")
    today = today_plan(catalog)
    data = {
        "exam_date": today.plan.exam_date.isoformat(),
        "profile": today.plan.profile_id,
        "days_left": today.days_left,
        "reviews_today": today.reviews,
        "new_today": today.new,
        "weakest": [{"domain": d, "name": n, "mastery": round(m, 3)} for d, n, m in today.weakest],
        "lab": today.lab_id,
    }
    if as_json:
        typer.echo(json.dumps(data))
        return
    typer.echo(f"{today.plan.profile_id} on {data['exam_date']}: {today.days_left} study days left")
    typer.echo(
        f"today: {today.reviews} reviews, {today.new} new cards" + (f", lab {today.lab_id}" if today.lab_id else "")
    )
    for d, n, m in today.weakest:
        typer.echo(f"weak: {n} (mastery {m:.0%})")


def register(app: typer.Typer) -> None:
    app.add_typer(exam_app, name="exam")
    app.add_typer(drill_app, name="drill")
    app.command()(plan)
