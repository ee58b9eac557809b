"""The `tutor` command. Bare `tutor` opens the TUI; every feature is also a subcommand."""

from __future__ import annotations

import os
import sys

NO_TERMINAL = """\
tutor: the study app needs an interactive terminal, and this one is not (output is piped or redirected).
Run `tutor` in a terminal window, or use the commands that work anywhere:
  tutor validate           check all content
  tutor doctor             paths, versions, content counts, sandbox check
  tutor lessons list       the chapters (tutor lessons show ID prints one)
  tutor lab list           the labs (tutor lab start ID, tutor lab check ID)
  tutor --help             everything else
"""


def open_tui(mode: str | None = None, resume_exam: bool = False) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        sys.stderr.write(NO_TERMINAL)
        return 2
    from tutor.tui.app import TutorApp

    TutorApp(mode=mode, resume_exam=resume_exam).run()
    return 0


def run() -> None:
    """Console entry point. Bare `tutor` goes straight to the TUI without loading the CLI machinery."""
    if len(sys.argv) == 1:
        sys.exit(open_tui())
    if sys.argv[1] == "aws":  # as quick as plain `aws`: no Typer, no content, the CLI in this process
        from tutor.sandbox.aws_cli import run_for_lab

        sys.exit(run_for_lab(sys.argv[2:]))
    if sys.argv[1] == "validate":  # run on every save by authors: skip Typer's start-up cost
        from tutor.cli.validate import main

        sys.exit(main(sys.argv[2:]))
    from tutor.cli.commands import app

    try:
        app()
        sys.stdout.flush()
    except BrokenPipeError:
        _reader_closed_the_pipe()
    except SystemExit as done:
        # Typer's Click exits 1 on EPIPE after wrapping stdout in PacifyFlushWrapper (Typer vendors Click, so
        # match the class by name); `tutor glossary | head` is not an error.
        if done.code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
            _reader_closed_the_pipe()
        raise


def _reader_closed_the_pipe() -> None:
    # Point stdout at devnull so the interpreter's final flush does not raise again.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.__stdout__.fileno())
    sys.exit(0)
