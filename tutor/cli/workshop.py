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


@workshop_app.command("serve")
def serve(
    pack: Path = typer.Argument(..., help="The pack folder (or its workshop.yaml)."),
    db: Optional[str] = typer.Option(None, "--db", help="SQLAlchemy URL; default SQLite in the data dir. "  # noqa: UP007
                                     "Several workers need postgresql+psycopg://USER@HOST/DB."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; 0.0.0.0 serves the room's network."),
    port: int = typer.Option(8765, "--port", min=1, max=65535),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes (PostgreSQL only for >1)."),
    as_json: bool = typer.Option(False, "--json", help="Print url, code and token_file as JSON on the first line."),
    ssl_certfile: Optional[Path] = typer.Option(None, "--ssl-certfile", help="TLS certificate (PEM)."),  # noqa: UP007
    ssl_keyfile: Optional[Path] = typer.Option(None, "--ssl-keyfile", help="TLS private key (PEM)."),  # noqa: UP007
    token_file: Optional[Path] = typer.Option(None, "--token-file",  # noqa: UP007
                                              help="Where the instructor token is kept (mode 0600)."),
    join_limit: str = typer.Option("30/minute", "--join-limit", help="Join attempts allowed per client address."),
    token_limit: str = typer.Option("1200/minute", "--token-limit", help="Requests allowed per token."),
) -> None:
    """Run the class server for a pack: prints the join URL, the join code and the instructor token."""
    from limits import parse

    from tutor import paths
    from tutor.workshop.pack import WorkshopError, load_pack
    from tutor.workshop.server.serve import default_db_url, default_token_file, serve as run_server

    for value, option in ((join_limit, "--join-limit"), (token_limit, "--token-limit")):
        try:
            parse(value)
        except ValueError:
            _fail(f"{option} {value!r} is not a rate like '30/minute'")
    parsed, problems = load_pack(pack)
    if parsed is None:
        for problem in problems:
            typer.echo(f"{_relative(problem.path)}:{problem.line}: {problem.message}", err=True)
        _fail("the pack has problems; fix them first")
    try:
        run_server(pack, db_url=db or default_db_url(paths.home(), parsed.id),
                   token_file=token_file or default_token_file(paths.home(), parsed.id), host=host, port=port,
                   workers=workers, as_json=as_json, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile,
                   join_limit=join_limit, token_limit=token_limit)
    except WorkshopError as exc:
        _fail(str(exc))


def register(app: typer.Typer) -> None:
    app.add_typer(workshop_app, name="workshop")


__all__ = ["register", "workshop_app", "json", "Optional"]
