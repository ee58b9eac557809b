"""The Typer application: `tutor validate`, `tutor doctor`, and the feature command groups."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from typer.core import TyperGroup, TyperOption

from tutor.cli.main import open_tui


class WholeSentenceGroup(TyperGroup):
    """Lists each command with its whole first sentence, wrapped, where Click would cut it at the column edge."""

    def format_commands(self, ctx, formatter) -> None:  # type: ignore[no-untyped-def]
        rows = [
            (name, cmd.get_short_help_str(limit=10_000))
            for name in self.list_commands(ctx)
            if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def get_command(self, ctx, cmd_name):  # type: ignore[no-untyped-def]
        command = super().get_command(ctx, cmd_name)
        for param in getattr(command, "params", ()):
            # `--seed SEED` as Click and argparse write it, not Typer's `--seed <int>`
            if isinstance(param, TyperOption) and param.metavar is None and not param.is_flag and param.name:
                param.metavar = param.name.upper()
        return command


app = typer.Typer(
    name="tutor",
    cls=WholeSentenceGroup,
    help="Learn AWS in the terminal: lessons, graded labs on a local sandbox, spaced review and mock exams.",
    no_args_is_help=False,
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain, unboxed errors: scripts and narrow terminals read them whole
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from tutor import __version__

        typer.echo(f"aws-tutor {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    version: bool | None = typer.Option(
        None, "--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """With no command, open the study app."""
    if ctx.invoked_subcommand is None:
        raise typer.Exit(open_tui())
    if ctx.invoked_subcommand != "workshop":
        ctx.call_on_close(_flush_workshop)


def _flush_workshop() -> None:
    """After each command, a short best-effort send of what it recorded for a joined workshop."""
    from tutor import paths

    if paths.workshop_file().exists():  # cheap: no database, no HTTP client unless a workshop is joined
        from tutor.workshop.client import flush_quietly

        flush_quietly()


@app.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    add_help_option=False,
)
def validate(ctx: typer.Context) -> None:
    """Check every lesson, question, lab, drill and exam profile; exit 1 on any problem."""
    from tutor.cli.validate import main as validate_main

    # `tutor validate` itself goes straight to tutor.cli.validate (see main.run); this listing only forwards
    raise typer.Exit(validate_main(ctx.args))


@app.command()
def doctor() -> None:
    """Print paths, versions and content counts, and check that a lab sandbox can start."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from tutor import paths as tpaths
    from tutor.content import content_roots, load_catalog

    typer.echo(f"python       {platform.python_version()} ({sys.executable})")
    for dist in ("aws-tutor", "textual", "sqlmodel", "alembic", "fsrs", "moto", "awscli", "boto3", "cfn-lint"):
        try:
            typer.echo(f"{dist:<12} {version(dist)}")
        except PackageNotFoundError:
            typer.echo(f"{dist:<12} MISSING")
    typer.echo(f"data dir     {tpaths.home()}")
    typer.echo(f"database     {tpaths.db_url()}")
    for root in content_roots():
        typer.echo(f"content      {root}")
    catalog = load_catalog()
    typer.echo("counts       " + ", ".join(f"{n} {k}" for k, n in catalog.counts().items()))
    ok = True
    if catalog.problems:
        ok = False
        typer.echo(f"problems     {len(catalog.problems)} (run `tutor validate`)")
    try:
        from tutor.store import get_engine
        from tutor.store.db import current_revision

        typer.echo(f"schema       {current_revision(get_engine())}")
    except Exception as exc:  # noqa: BLE001 - doctor reports, never crashes
        ok = False
        typer.echo(f"schema       FAILED: {exc}")
    from tutor.store.db import quick_check

    damage = quick_check()
    if damage:
        ok = False
        typer.echo(f"integrity    DAMAGED: {'; '.join(damage[:5])}")
        typer.echo(
            f"             copy what can still be read with `tutor backup FILE`, then restore a copy from "
            f"{tpaths.home() / 'backups'} or move the database aside to start afresh"
        )
    else:
        typer.echo("integrity    ok (PRAGMA quick_check)")
    ok = _doctor_sandbox() and ok
    raise typer.Exit(0 if ok else 1)


@app.command()
def backup(
    file: Path | None = typer.Argument(None, help="Where to write the copy (default: backups/ in the data dir)."),
) -> None:
    """Copy your progress database safely, even while aws-tutor is running."""
    from tutor.store import StoreError
    from tutor.store.db import backup as copy_database

    try:
        written = copy_database(file)
    except StoreError as exc:
        typer.echo(f"tutor: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"backed up to {written}")


def _doctor_sandbox() -> bool:
    import tempfile
    import time

    try:
        from tutor.sandbox import start_sandbox
    except ImportError as exc:
        typer.echo(f"sandbox      unavailable: {exc}")
        return False
    with tempfile.TemporaryDirectory(prefix="tutor-doctor-") as tmp:
        started = time.perf_counter()
        try:
            sandbox = start_sandbox(Path(tmp), watch_pid=os.getpid())
        except Exception as exc:  # noqa: BLE001
            typer.echo(f"sandbox      FAILED to start: {exc}")
            return False
        try:
            sandbox.client("s3").list_buckets()
            typer.echo(
                f"sandbox      ok, ready in {(time.perf_counter() - started) * 1000:.0f} ms on {sandbox.endpoint}"
            )
            return True
        except Exception as exc:  # noqa: BLE001
            typer.echo(f"sandbox      started but did not answer: {exc}")
            return False
        finally:
            sandbox.stop()


def register_subcommands() -> None:
    """Feature command groups live beside their features; each registers itself here."""
    import importlib

    for name in ("lessons", "labs", "review", "exam", "workshop", "web"):
        try:
            module = importlib.import_module(f"tutor.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"tutor.cli.{name}":
                raise
            continue
        module.register(app)
    for group in app.registered_groups:
        group.cls = WholeSentenceGroup


register_subcommands()
