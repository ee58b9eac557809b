"""`tutor lab ...` and `tutor aws ...`: the lab contract of DESIGN.md, for learners and instructors' scripts."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import typer

lab_app = typer.Typer(help="Hands-on labs against a local AWS sandbox.", no_args_is_help=True, rich_markup_mode=None)


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
    typer.echo(
        f"{report.passed}/{report.total} checks pass ({passed_weight:g} of {total_weight:g} weight) · "
        f"score {report.score}"
    )


@lab_app.command("list")
def list_labs(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Every lab with its services, estimated time and your best score."""
    from tutor.store.labs import lab_summaries

    catalog = _catalog()
    summaries = lab_summaries()
    rows = []
    for lab in catalog.labs.values():
        s = summaries.get(lab.id, {})
        rows.append(
            {
                "id": lab.id,
                "title": lab.title,
                "services": lab.services,
                "minutes": lab.estimated_minutes,
                "difficulty": lab.difficulty,
                "checks": len(lab.checks),
                "attempts": s.get("attempts", 0),
                "best_score": s.get("best_score", 0),
                "passed": s.get("passed", False),
            }
        )
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
    typer.echo(
        f"lab {found.id} · {', '.join(found.services)} · about {found.estimated_minutes} min · difficulty {stars}\n"
    )
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


LAB_ARG = typer.Argument(None, metavar="[LAB]", help="The lab (default: $TUTOR_LAB, else the only running lab).")


def _resolve(catalog, lab: str | None) -> str:
    """The one rule for every command: LAB, else $TUTOR_LAB, else the only running lab."""
    from tutor.grading import session as labs

    return _guard(labs.resolve, catalog, lab)


@lab_app.command()
def start(
    lab: str,
    fresh: bool = typer.Option(False, "--fresh", help="Throw the saved sandbox away and start over."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Start the lab (or resume its saved sandbox) and print the environment for your shell.

    The sandbox runs until `tutor lab stop` (which saves it) or until nobody has used it for a while;
    closing the shell that started it does not stop it.
    """
    from tutor.grading import session as labs
    from tutor.sandbox import export_lines

    catalog = _catalog()
    sess, how = _guard(labs.start, catalog, lab, fresh=fresh)
    exports = sess.exports()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "lab": lab,
                    "endpoint": sess.sandbox.endpoint,
                    "workspace": str(sess.workspace),
                    "started": how != "running",
                    "how": how,
                    "env": exports,
                }
            )
        )
        return
    typer.echo(export_lines(exports, save_from=os.environ), nl=False)
    said = {"started": "started", "resumed": "resumed where you left it", "running": "already running"}[how]
    if sess.note:
        typer.echo(f"# note: {sess.note}", err=True)
    typer.echo(f"# lab {lab} {said} on {sess.sandbox.endpoint}; workspace {sess.workspace}", err=True)
    typer.echo(f"# work in it: `tutor lab shell {lab}` (plain `aws` goes to the sandbox; `exit` leaves it)", err=True)
    typer.echo(
        f"# the task: `tutor lab show {lab}`; grade it with `tutor lab check`; `tutor lab stop` saves it", err=True
    )


@lab_app.command()
def env(
    lab: str | None = LAB_ARG,
    unset: bool = typer.Option(False, "--unset", help="Print the lines that undo `env` instead."),
) -> None:
    """Print the lab's environment as `export ...` lines, for `eval "$(tutor lab env LAB)"`.

    They set fake keys, the sandbox endpoint, the `aws` shim first on PATH, and HTTP(S)_PROXY/ALL_PROXY
    to a dead local port (so nothing leaves the machine; curl, pip and git fail in that shell too).
    `eval "$(tutor lab env --unset)"` puts your shell back as it was.
    """
    if unset:
        from tutor.sandbox.environment import shim_dir, undo_lines
        from tutor.sandbox.registry import state_dir_of

        typer.echo(undo_lines(os.environ, [shim_dir(state_dir_of(lab_id)) for lab_id in _lab_dirs()]), nl=False)
        return
    from tutor.grading import session as labs
    from tutor.sandbox import export_lines

    catalog = _catalog()
    sess = _guard(labs.require_session, catalog, _resolve(catalog, lab))
    typer.echo(export_lines(sess.exports(), save_from=os.environ), nl=False)


def _lab_dirs() -> list[str]:
    from tutor import paths

    return sorted(p.name for p in paths.labs_dir().iterdir() if p.is_dir())


@lab_app.command()
def shell(lab: str | None = LAB_ARG) -> None:
    """Open a shell inside the lab: its environment, `aws` pointed at the sandbox, a prompt that names it.

    `exit` (or Ctrl-D) leaves it and your shell is exactly as before; the lab keeps running.
    """
    from tutor.cli.lab_shell import run_shell
    from tutor.grading import session as labs

    catalog = _catalog()
    sess = _guard(labs.require_session, catalog, _resolve(catalog, lab))
    code = run_shell(sess)
    typer.echo(
        f"left the shell of lab {sess.lab.id}; the lab keeps running (`tutor lab stop {sess.lab.id}` "
        "saves and stops it)",
        err=True,
    )
    raise typer.Exit(code)


@lab_app.command()
def check(
    lab: str | None = LAB_ARG, as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")
) -> None:
    """Run every check. Exit 0 when all pass, 1 otherwise."""
    from tutor.grading import session as labs

    catalog = _catalog()
    sess = _guard(labs.require_session, catalog, _resolve(catalog, lab))
    report = _guard(labs.check, sess)
    _print_report(report, as_json)
    raise typer.Exit(0 if report.passed == report.total else 1)


@lab_app.command()
def hint(
    lab: str | None = LAB_ARG,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before spending the first hint."),
) -> None:
    """Show the next hint (each one used lowers the score by 10%; the first one asks before it spends)."""
    from tutor.grading import session as labs

    catalog = _catalog()
    lab_id = _resolve(catalog, lab)
    ask, cost = _guard(labs.next_hint_cost, catalog, lab_id)
    if ask and not yes:
        if not sys.stdin.isatty():
            _fail(f"{cost} Add --yes to spend it.")
        typer.confirm(f"{cost} Show it?", abort=True)
    number, total, text = _guard(labs.hint, catalog, lab_id)
    typer.echo(f"Hint {number}/{total}: {text}")


@lab_app.command()
def solution(
    lab: str | None = LAB_ARG, yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")
) -> None:
    """Show the reference solution. Before a pass the attempt then scores 0; after a pass it costs nothing."""
    from tutor.grading import session as labs

    catalog = _catalog()
    lab_id = _resolve(catalog, lab)
    cost = _guard(labs.solution_cost, catalog, lab_id)
    if not yes:
        if not sys.stdin.isatty():
            _fail(f"{cost} Add --yes to confirm.")
        typer.confirm(f"{cost} Show it?", abort=True)
    typer.echo(_guard(labs.solution, catalog, lab_id), nl=False)


@lab_app.command()
def reset(
    lab: str | None = LAB_ARG, yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")
) -> None:
    """Empty the sandbox and run the setup again (your workspace files stay)."""
    from tutor.grading import session as labs

    catalog = _catalog()
    sess = _guard(labs.require_session, catalog, _resolve(catalog, lab))
    if not yes:
        if not sys.stdin.isatty():
            _fail("reset deletes everything you created in the sandbox; add --yes to confirm")
        typer.confirm("Reset deletes everything you created in the sandbox. Continue?", abort=True)
    seconds = _guard(labs.reset, sess)
    typer.echo(f"lab {sess.lab.id} reset in {seconds * 1000:.0f} ms")


@lab_app.command()
def stop(lab: str | None = LAB_ARG) -> None:
    """Save the lab's sandbox and stop it; `tutor lab start LAB` resumes it exactly."""
    from tutor.grading import session as labs

    catalog = _catalog()
    lab_id = _resolve(catalog, lab)
    if _guard(labs.stop, catalog, lab_id):
        typer.echo(f"lab {lab_id} saved and stopped; `tutor lab start {lab_id}` resumes it (`--fresh` starts over)")
    else:
        typer.echo(f"lab {lab_id} was not running")
    if os.environ.get("TUTOR_LAB") == lab_id and "HTTPS_PROXY" in os.environ:
        typer.echo(
            '# this shell still has the lab\'s environment: `eval "$(tutor lab env --unset)"` undoes it', err=True
        )


@lab_app.command()
def watch(
    lab: str | None = LAB_ARG, interval: float = typer.Option(0.5, help="Seconds between looks at the sandbox.")
) -> None:
    """Re-run the checks whenever the sandbox's state changes. Ctrl-C to stop."""
    from tutor.grading import session as labs

    catalog = _catalog()
    sess = _guard(labs.require_session, catalog, _resolve(catalog, lab))

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


def aws(
    ctx: typer.Context, lab: str | None = typer.Option(None, "--lab", help="Lab (default: the active one).")
) -> None:
    """Run the real AWS CLI against the active lab's sandbox (endpoint, keys and region forced).

    `tutor aws ...` is normally served before Typer loads (see main.run); this is for `tutor --help`.
    """
    from tutor.sandbox.aws_cli import run_for_lab

    raise typer.Exit(run_for_lab([*(["--lab", lab] if lab else []), *ctx.args]))


def register(app: typer.Typer) -> None:
    app.add_typer(lab_app, name="lab")
    app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []})(
        aws
    )
