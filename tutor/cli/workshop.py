"""`tutor workshop ...`: write and check a pack, run the class server, join, sync and leave."""

from __future__ import annotations

import json
from pathlib import Path

import typer

workshop_app = typer.Typer(
    help="Instructor-run workshops: packs, the class server, joining and syncing.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


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
    db: str | None = typer.Option(
        None,
        "--db",
        help="SQLAlchemy URL; default SQLite in the data dir. Several workers need postgresql+psycopg://USER@HOST/DB.",
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; 0.0.0.0 serves the room's network."),
    port: int = typer.Option(8765, "--port", min=1, max=65535, help="TCP port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes (PostgreSQL only for >1)."),
    as_json: bool = typer.Option(False, "--json", help="Print url, code and token_file as JSON on the first line."),
    ssl_certfile: Path | None = typer.Option(None, "--ssl-certfile", help="TLS certificate (PEM)."),
    ssl_keyfile: Path | None = typer.Option(None, "--ssl-keyfile", help="TLS private key (PEM)."),
    token_file: Path | None = typer.Option(
        None, "--token-file", help="Where the instructor token is kept (mode 0600)."
    ),
    join_limit: str = typer.Option("30/minute", "--join-limit", help="Join attempts allowed per client address."),
    token_limit: str = typer.Option("1200/minute", "--token-limit", help="Requests allowed per token."),
) -> None:
    """Run the class server for a pack: prints the join URL, the join code and the instructor token."""
    from limits import parse

    from tutor import paths
    from tutor.workshop.pack import WorkshopError, load_pack
    from tutor.workshop.server.serve import default_db_url, default_token_file
    from tutor.workshop.server.serve import serve as run_server

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
        run_server(
            pack,
            db_url=db or default_db_url(paths.home(), parsed.id),
            token_file=token_file or default_token_file(paths.home(), parsed.id),
            host=host,
            port=port,
            workers=workers,
            as_json=as_json,
            ssl_certfile=ssl_certfile,
            ssl_keyfile=ssl_keyfile,
            join_limit=join_limit,
            token_limit=token_limit,
        )
    except WorkshopError as exc:
        _fail(str(exc))


@workshop_app.command("join")
def join(
    url: str = typer.Argument(..., help="The join URL the instructor shows, e.g. http://10.0.0.5:8765"),
    code: str = typer.Argument(..., help="The join code, e.g. K7QX-M2PD (case and dashes do not matter)."),
    name: str = typer.Option(..., "--name", help="Your name as the instructor will see it."),
) -> None:
    """Join a workshop: downloads its pack, and sends your lab, review and exam results from now on."""
    from tutor.workshop.client import join as join_workshop
    from tutor.workshop.pack import WorkshopError

    try:
        membership = join_workshop(url, code, name)
    except WorkshopError as exc:
        _fail(str(exc))
    typer.echo(f"joined {membership.title} ({membership.workshop_id}) as {membership.name}")
    typer.echo("the agenda is on the Home screen (`tutor`); `tutor workshop status` shows the connection")


@workshop_app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """The joined workshop: connection, events waiting to be sent, the last successful sync, the agenda."""
    from tutor.workshop.client import agenda
    from tutor.workshop.client import status as workshop_status
    from tutor.workshop.pack import WorkshopError

    try:
        st = workshop_status()
    except WorkshopError as exc:
        _fail(str(exc), 1)
    m = st.membership
    items = agenda(m)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "workshop": m.workshop_id,
                    "title": m.title,
                    "server": m.server_url,
                    "name": m.name,
                    "online": st.online,
                    "connection": st.detail,
                    "waiting": st.waiting,
                    "sent": st.sent,
                    "rejected": st.rejected,
                    "server_events": st.server_events,
                    "last_sync": m.last_sync_at.isoformat() if m.last_sync_at else None,
                    "last_error": m.last_error,
                    "agenda": [{"key": a.key, "title": a.title, "done": a.done} for a in items],
                }
            )
        )
        return
    last = m.last_sync_at.strftime("%Y-%m-%d %H:%M:%S UTC") if m.last_sync_at else "never"
    typer.echo(f"workshop     {m.title} ({m.workshop_id}) as {m.name}")
    typer.echo(f"server       {m.server_url}: {st.detail}")
    typer.echo(
        f"events       {st.waiting} waiting, {st.sent} sent" + (f", {st.rejected} refused" if st.rejected else "")
    )
    typer.echo(f"last sync    {last}" + (f" (last error: {m.last_error})" if m.last_error else ""))
    nxt = next((a for a in items if not a.done), None)
    for a in items:
        mark = "✔" if a.done else ("→" if a is nxt else " ")
        typer.echo(f"  {mark} {a.title}")


@workshop_app.command("sync")
def sync() -> None:
    """Send every waiting event now; exit 1 when the server cannot be reached (they stay queued)."""
    from tutor.workshop.client import SyncError
    from tutor.workshop.client import sync as sync_now
    from tutor.workshop.pack import WorkshopError

    try:
        result = sync_now()
    except WorkshopError as exc:
        _fail(str(exc), 1)
    except SyncError as exc:
        _fail(f"{exc} (the events stay queued)", 1)
    typer.echo(f"sent {result.sent} event{'s' if result.sent != 1 else ''}; {result.waiting} waiting")


@workshop_app.command("leave")
def leave(force: bool = typer.Option(False, "--force", help="Leave even with events not yet sent.")) -> None:
    """Leave the joined workshop: its content leaves your catalog; your own records stay."""
    from tutor.workshop.client import leave as leave_workshop
    from tutor.workshop.pack import WorkshopError

    try:
        membership, unsent = leave_workshop(force)
    except WorkshopError as exc:
        _fail(str(exc), 1)
    typer.echo(f"left {membership.title}" + (f"; {unsent} events were not sent" if unsent else ""))


def register(app: typer.Typer) -> None:
    app.add_typer(workshop_app, name="workshop")


__all__ = ["register", "workshop_app"]
