"""`tutor lab ...` and `tutor aws ...`: the lab contract of DESIGN.md, for learners and instructors' scripts."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Optional

import typer

lab_app = typer.Typer(help="Hands-on labs against a local AWS sandbox.", no_args_is_help=True,
                      rich_markup_mode=None)


def _catalog():
    from tutor.content import load_catalog

    return load_catalog()


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"tutor: {message}", err=True)
    raise typer.Exit(code)


def _guard(func, *args: Any, **kw: Any) -> Any:
    """Run a lab operation; errors the learner can act on become one short message."""
    from tutor.grading.session import LabError
    from tutor.sandbox import SandboxError

    try:
        return func(*args, **kw)
    except (LabError, SandboxError) as exc:
        _fail(str(exc))


def _print_report(report, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.to_json()))
        return
    from tutor.grading.checks import weight_label

    total_weight = sum(c.weight for c in report.checks)
    labels = [weight_label(c.weight, total_weight) for c in report.checks]
    width = max((len(label) for label in labels), default=0)
    for c, label in zip(report.checks, labels):
        mark = "✔" if c.passed else "✘"
        typer.echo(f" {mark} {label:>{width}}  {c.title}")
        if not c.passed:
            typer.echo(f"     {' ' * width}  {c.message}")
    passed_weight = sum(c.weight for c in report.checks if c.passed)
    typer.echo(f"{report.passed}/{report.total} checks pass ({passed_weight:g} of {total_weight:g} weight) · "
               f"score {report.score}")


@lab_app.command("list")
def list_labs(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Every lab with its services, estimated time and your best score."""
    from tutor.store.labs import lab_summaries

    catalog = _catalog()
    summaries = lab_summaries()
    rows = []
    for lab in catalog.labs.values():
        s = summaries.get(lab.id, {})
        rows.append({"id": lab.id, "title": lab.title, "services": lab.services, "minutes": lab.estimated_minutes,
                     "difficulty": lab.difficulty, "checks": len(lab.checks), "attempts": s.get("attempts", 0),
                     "best_score": s.get("best_score", 0), "passed": s.get("passed", False)})
    if as_json:
        typer.echo(json.dumps(rows))
        return
    if not rows:
        typer.echo("No labs are installed. Labs are folders in labs/ (see docs/AUTHORING.md).")
        return
    for r in rows:
        status = "passed" if r["passed"] else (f"best {r['best_score']:.0f}" if r["attempts"] else "new")
        typer.echo(f"{r['id']:<28} {r['minutes']:>3} min  {status:<9} {r['title']}")


@lab_app.command()
def show(lab: str) -> None:
    """Print the lab's task: what to build, why it matters, and what will be checked."""
    from tutor.grading.session import find_lab

    found = _guard(find_lab, _catalog(), lab)
    stars = "●" * found.difficulty + "○" * (3 - found.difficulty)
    # the handout opens with the title
    typer.echo(f"lab {found.id} · {', '.join(found.services)} · about {found.estimated_minutes} min · "
               f"difficulty {stars}\n")
    handout = (found.folder / found.handout).read_text(encoding="utf-8")
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(handout))
    else:
        typer.echo(handout.rstrip())
    typer.echo("\nWhat `tutor lab check` looks at:")
    for check in found.checks:
        typer.echo(f"  □ {check.title}")
    typer.echo(f"\ntutor lab start {lab}, then tutor aws ... (or boto3), then tutor lab check {lab}")


@lab_app.command()
def start(lab: str, as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Start the lab's sandbox, run its setup, and print the environment for your shell."""
    from tutor.grading import session as labs
    from tutor.sandbox import export_lines

    catalog = _catalog()
    sess, fresh = _guard(labs.start, catalog, lab, watch_pid=os.getppid())
    exports = sess.exports()
    if as_json:
        typer.echo(json.dumps({"lab": lab, "endpoint": sess.sandbox.endpoint, "workspace": str(sess.workspace),
                               "started": fresh, "env": exports}))
        return
    typer.echo(export_lines(exports), nl=False)
    note = "started" if fresh else "already running"
    typer.echo(f"# lab {lab} {note} on {sess.sandbox.endpoint}; workspace {sess.workspace}", err=True)
    typer.echo(f'# run `eval "$(tutor lab env {lab})"` to use plain `aws` in this shell, or use `tutor aws ...`',
               err=True)
    typer.echo(f"# the task: `tutor lab show {lab}`; grade it with `tutor lab check {lab}`", err=True)


@lab_app.command()
def env(lab: str) -> None:
    """Print the `export ...` lines for a running lab again."""
    from tutor.grading import session as labs
    from tutor.sandbox import export_lines

    sess = _guard(labs.require_session, _catalog(), lab)
    typer.echo(export_lines(sess.exports()), nl=False)


@lab_app.command()
def check(lab: str, as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Run every check. Exit 0 when all pass, 1 otherwise."""
    from tutor.grading import session as labs

    sess = _guard(labs.require_session, _catalog(), lab)
    report = _guard(labs.check, sess)
    _print_report(report, as_json)
    raise typer.Exit(0 if report.passed == report.total else 1)


@lab_app.command()
def hint(lab: str, yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before spending the first hint.")
         ) -> None:
    """Show the next hint (each one used lowers the score by 10%; the first one asks before it spends)."""
    from tutor.grading import session as labs

    catalog = _catalog()
    ask, cost = _guard(labs.next_hint_cost, catalog, lab)
    if ask and not yes:
        if not sys.stdin.isatty():
            _fail(f"{cost} Add --yes to spend it.")
        typer.confirm(f"{cost} Show it?", abort=True)
    number, total, text = _guard(labs.hint, catalog, lab)
    typer.echo(f"Hint {number}/{total}: {text}")


@lab_app.command()
def solution(lab: str, yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")) -> None:
    """Show the reference solution. Before a pass the attempt then scores 0; after a pass it costs nothing."""
    from tutor.grading import session as labs

    catalog = _catalog()
    cost = _guard(labs.solution_cost, catalog, lab)
    if not yes:
        if not sys.stdin.isatty():
            _fail(f"{cost} Add --yes to confirm.")
        typer.confirm(f"{cost} Show it?", abort=True)
    typer.echo(_guard(labs.solution, catalog, lab), nl=False)


@lab_app.command()
def reset(lab: str, yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")) -> None:
    """Empty the sandbox and run the setup again (your workspace files stay)."""
    from tutor.grading import session as labs

    catalog = _catalog()
    sess = _guard(labs.require_session, catalog, lab)
    if not yes:
        if not sys.stdin.isatty():
            _fail("reset deletes everything you created in the sandbox; add --yes to confirm")
        typer.confirm("Reset deletes everything you created in the sandbox. Continue?", abort=True)
    seconds = _guard(labs.reset, sess)
    typer.echo(f"lab {lab} reset in {seconds * 1000:.0f} ms")


@lab_app.command()
def stop(lab: str) -> None:
    """Stop the lab's sandbox."""
    from tutor.grading import session as labs

    if _guard(labs.stop, _catalog(), lab):
        typer.echo(f"lab {lab} stopped")
    else:
        typer.echo(f"lab {lab} was not running")


@lab_app.command()
def watch(lab: str, interval: float = typer.Option(0.5, help="Seconds between looks at the sandbox.")) -> None:
    """Re-run the checks whenever the sandbox's state changes. Ctrl-C to stop."""
    from tutor.grading import session as labs

    sess = _guard(labs.require_session, _catalog(), lab)

    def show(report) -> None:
        typer.echo("\x1b[2J\x1b[H" if sys.stdout.isatty() else "---", nl=not sys.stdout.isatty())
        _print_report(report, as_json=False)

    try:
        _guard(labs.watch, sess, show, interval=interval)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


@lab_app.command()
def selftest(labs_: list[str] = typer.Argument(None, metavar="[LAB]...", help="Labs to test (default: all).")) -> None:
    """For lab authors: an untouched sandbox must fail every check, the reference solution pass them all."""
    from tutor.grading import session as labs

    catalog = _catalog()
    ids = labs_ or list(catalog.labs)
    failed = 0
    for lab_id in ids:
        result = _guard(labs.selftest, catalog, lab_id)
        if result.ok:
            typer.echo(f"ok    {lab_id}: {result.untouched.total} checks fail untouched, pass when solved")
        else:
            failed += 1
            typer.echo(f"FAIL  {lab_id}")
            for problem in result.problems:
                typer.echo(f"      {problem}")
    raise typer.Exit(1 if failed else 0)


def aws(ctx: typer.Context, lab: Optional[str] = typer.Option(None, "--lab", help="Lab (default: the active one).")) -> None:  # noqa: UP007
    """Run the real AWS CLI against the active lab's sandbox (endpoint, keys and region forced)."""
    from tutor.grading import session as labs
    from tutor.sandbox import run_aws_subprocess

    lab = lab or labs.active_lab()
    if lab is None:
        _fail("no lab is active. Start one with `tutor lab start LAB`.")
    sess = _guard(labs.require_session, _catalog(), lab)
    raise typer.Exit(run_aws_subprocess(sess.sandbox, list(ctx.args)))


def register(app: typer.Typer) -> None:
    app.add_typer(lab_app, name="lab")
    app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                                  "help_option_names": []})(aws)
