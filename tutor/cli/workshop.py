"""`tutor workshop ...`: write and check a pack, run the class server, join, sync and leave."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

workshop_app = typer.Typer(help="Instructor-run workshops: packs, the class server, joining and syncing.",
                           no_args_is_help=True, rich_markup_mode=None)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"tutor: {message}", err=True)
    raise typer.Exit(code)


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@workshop_app.command("new")
def new(folder: Path = typer.Argument(..., help="A new (or empty) folder for the pack.")) -> None:
    """Write a commented starter pack: workshop.yaml and a content folder."""
    from tutor.workshop.pack import WorkshopError
    from tutor.workshop.starter import write_starter

    try:
        file = write_starter(folder)
    except WorkshopError as exc:
        _fail(str(exc))
    typer.echo(f"wrote {_relative(file)} and {_relative(folder / 'content')}/")
    typer.echo(f"next: edit it, then `tutor workshop validate {folder}`")


@workshop_app.command("validate")
def validate(
    pack: Path = typer.Argument(..., help="The pack folder (or its workshop.yaml)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Parse every content file again."),
) -> None:
    """Check a pack: its schema, its own content, and every agenda reference; exit 1 on any problem."""
    from tutor.workshop.pack import check_pack

    result = check_pack(pack, use_cache=not no_cache)
    for problem in result.problems:
        typer.echo(f"{_relative(problem.path)}:{problem.line}: {problem.message}", err=True)
    if result.pack is not None and not result.problems:
        typer.echo(f"{result.pack.id}: {len(result.pack.agenda)} agenda items, all valid")
    else:
        n = len(result.problems)
        typer.echo(f"{n} problem{'s' if n != 1 else ''}")
    raise typer.Exit(0 if result.ok else 1)


def register(app: typer.Typer) -> None:
    app.add_typer(workshop_app, name="workshop")


__all__ = ["register", "workshop_app", "json", "Optional"]
