"""Every command's --help reads as finished: no cut descriptions, no type placeholders, every option explained."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import typer
from typer.core import TyperGroup, TyperOption

from tutor.cli.commands import app

ROOT = typer.main.get_command(app)


def _commands(group, path: tuple[str, ...] = ()):
    yield path, group
    if isinstance(group, TyperGroup):
        for name, sub in group.commands.items():
            if not sub.hidden:
                yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(ROOT))


def _help(path: tuple[str, ...]) -> str:
    # an 80-column terminal, the narrowest we promise
    ctx = ROOT.make_context("tutor", [], resilient_parsing=True, terminal_width=80)
    cmd = ROOT
    for name in path:
        cmd = cmd.commands[name]
        ctx = cmd.make_context(name, [], parent=ctx, resilient_parsing=True)
    return cmd.get_help(ctx)


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "tutor")
def test_help_is_finished(path):
    text = _help(path)
    cut = [line for line in text.splitlines() if re.search(r"\w\.\.\.$", line)]
    assert not cut, f"`tutor {' '.join(path)} --help` cuts a description short:\n" + "\n".join(cut)
    # an option's value is named for what it is (YYYY-MM-DD, PROFILE), not by its Python type
    options = [line for line in text.splitlines() if line.lstrip().startswith("-")]
    placeholders = [line for line in options if re.search(r"<(?:str|int|float|path|bool)>", line, re.IGNORECASE)]
    assert not placeholders, f"`tutor {' '.join(path)} --help` shows type placeholders:\n" + "\n".join(placeholders)


@pytest.mark.parametrize(
    "path,command",
    [(p, c) for p, c in COMMANDS if not isinstance(c, TyperGroup)],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else "",
)
def test_every_option_says_what_it_does(path, command):
    silent = [
        p.opts[0]
        for p in command.params
        if isinstance(p, TyperOption) and not p.hidden and not p.help and p.name != "help"
    ]
    assert not silent, f"`tutor {' '.join(path)}` has options without help: {silent}"


def test_validate_help_looks_like_the_others():
    """`tutor validate` parses its own arguments (for speed), but its help has the same shape as every command's."""
    out = subprocess.run(
        [sys.executable, "-m", "tutor", "validate", "-h"], capture_output=True, text=True, check=True
    ).stdout
    doctor = subprocess.run(
        [sys.executable, "-m", "tutor", "doctor", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("Usage: tutor validate [OPTIONS] [PATH]...\n"), out
    assert "\nOptions:\n" in out and "\nOptions:\n" in doctor
    assert "  -h, --help" in out and "Show this message and exit." in out
    assert "usage:" not in out and "positional arguments" not in out
