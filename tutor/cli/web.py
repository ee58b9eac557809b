"""`tutor web`: the study app in a browser, served by textual-serve (one app process per browser tab)."""

from __future__ import annotations

import ipaddress
import shlex
import sys

import typer

NOT_LOOPBACK = (
    "tutor: warning: serving on {host}, which other machines can reach. Anyone who can open the page gets a full "
    "session with your progress; there is no login. Use the default (127.0.0.1) unless you mean to share it."
)


def is_loopback(host: str) -> bool:
    """True when only this machine can connect to `host` (127.0.0.0/8, ::1 or the name localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # any other name may resolve to a reachable address


def app_command() -> str:
    """The command textual-serve runs for each browser session: this interpreter, straight into the app."""
    return f"{shlex.quote(sys.executable)} -m tutor.cli.web"


def web(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; loopback unless you say otherwise."),
    port: int = typer.Option(8000, "--port", help="TCP port to listen on."),
) -> None:
    """Serve the study app to a web browser (http://HOST:PORT)."""
    from textual_serve.server import Server

    if not is_loopback(host):
        typer.echo(NOT_LOOPBACK.format(host=host), err=True)
    typer.echo(f"serving the study app on http://{host}:{port}  (Ctrl+C stops it)")
    Server(app_command(), host=host, port=port, title="aws-tutor").serve()


def register(app: typer.Typer) -> None:
    app.command("web")(web)


if __name__ == "__main__":
    # textual-serve starts us with pipes, not a terminal, and its web driver in TEXTUAL_DRIVER, so skip the
    # terminal check that bare `tutor` makes.
    from tutor.tui.app import TutorApp

    TutorApp().run()
