"""`tutor lab shell`: the learner's own shell, inside a lab, with a prompt that names it.

The lab's variables live only in the child shell, so the dead proxy that keeps lab commands off
the internet never leaks into the learner's own shell: `exit` and everything is as before.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any


def _shell_program() -> str:
    shell = os.environ.get("SHELL") or "/bin/sh"
    return shell if Path(shell).exists() else "/bin/sh"


def shell_environment(exports: dict[str, str], environ: dict[str, str] | None = None) -> dict[str, str]:
    """The child shell's environment: the learner's, minus their AWS settings, plus the lab's."""
    base = dict(os.environ if environ is None else environ)
    env = {key: value for key, value in base.items() if not key.startswith("AWS_")}
    env.update(exports)
    return env


def run_shell(session: Any, argv: list[str] | None = None) -> int:
    """Run the learner's shell in the lab (or `argv`, for tests) and return its exit code."""
    from tutor.sandbox import export_lines

    exports = session.exports()
    env = shell_environment(exports)
    lab = session.lab.id
    program = _shell_program()
    name = Path(program).name
    with tempfile.TemporaryDirectory(prefix="tutor-lab-shell-") as tmp:
        # The lab's lines run again after the learner's rc file, so a PATH or proxy set there cannot undo them.
        again = export_lines(exports)
        command: list[str]
        if argv is not None:
            command = argv
        elif name == "bash":
            rc = Path(tmp) / "bashrc"
            rc.write_text(f'[ -f ~/.bashrc ] && . ~/.bashrc\n{again}PS1="(lab {lab}) ${{PS1-\\$ }}"\n')
            command = [program, "--rcfile", str(rc), "-i"]
        elif name == "zsh":
            (Path(tmp) / ".zshrc").write_text(
                f"ZDOTDIR={shlex.quote(env.get('ZDOTDIR', env.get('HOME', '')))}\n"
                '[ -f "$ZDOTDIR/.zshrc" ] && . "$ZDOTDIR/.zshrc"\n'
                f'{again}PROMPT="(lab {lab}) $PROMPT"\n'
            )
            env["ZDOTDIR"] = tmp
            command = [program, "-i"]
        else:  # sh, dash, ksh...: they read PS1 from the environment
            env["PS1"] = f"(lab {lab}) $ "
            command = [program, "-i"]
        return subprocess.call(command, env=env, cwd=str(session.workspace))
