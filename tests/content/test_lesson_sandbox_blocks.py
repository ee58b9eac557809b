"""Every ```sh sandbox block of the real lessons runs, line by line, against a fresh moto sandbox.

The learner is told these blocks work as they are, so the test runs each `aws ...` line in order
through the real AWS CLI (in-process, tutor.sandbox.AwsCli): fake credentials, us-east-1, the
endpoint forced with --endpoint-url, and every non-loopback request refused (a `before-send`
guard plus a dead proxy). Each block starts from a reset sandbox, so blocks must be
self-contained. A failure names the file, the line and the command.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest

from tutor.content import load_catalog

CATALOG = load_catalog()
BLOCKS = CATALOG.sandbox_blocks
ROOT = Path(__file__).resolve().parents[2]


def block_id(block: tuple[Path, int, str]) -> str:
    path, line, _ = block
    return f"{path.name}:{line}"


def commands(fence_line: int, text: str) -> list[tuple[int, str]]:
    """(line number, command) for each command of a block; `\\` continues a line, `#` is a comment."""
    out: list[tuple[int, str]] = []
    pending, start = "", 0
    for offset, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if not pending:
            start = fence_line + offset
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        out.append((start, pending + line))
        pending = ""
    if pending:
        out.append((start, pending.strip()))
    return out


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    from tutor.sandbox import AwsCli, start_sandbox
    from tutor.sandbox.environment import DEAD_PROXY, LOOPBACK_NAMES

    saved = {k: os.environ.get(k) for k in ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY")}
    # belt and braces: anything that escaped the CLI's own guard would hit a closed port
    os.environ.update(HTTPS_PROXY=DEAD_PROXY, HTTP_PROXY=DEAD_PROXY, NO_PROXY=LOOPBACK_NAMES)
    sandbox = start_sandbox(tmp_path_factory.mktemp("lesson-sandbox"), watch_pid=os.getpid())
    try:
        yield AwsCli(sandbox, cwd=tmp_path_factory.mktemp("lesson-workdir"))
    finally:
        sandbox.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_the_lessons_have_sandbox_blocks():
    assert len(BLOCKS) >= 10, "the chapters promise runnable commands"


def test_sandbox_blocks_hold_only_aws_commands():
    wrong = []
    for path, line, text in BLOCKS:
        for number, command in commands(line, text):
            if not command.startswith("aws "):
                wrong.append(f"{path.relative_to(ROOT)}:{number}: {command}")
    assert not wrong, "only `aws ...` lines (and # comments) belong in a sandbox block:\n" + "\n".join(wrong)


@pytest.mark.parametrize("block", BLOCKS, ids=[block_id(b) for b in BLOCKS])
def test_sandbox_block_runs(cli, block):
    path, line, text = block
    cli.sandbox.reset()
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    for number, command in commands(line, text):
        if not command.startswith("aws "):
            continue  # reported by test_sandbox_blocks_hold_only_aws_commands
        result = cli.run(shlex.split(command)[1:])  # the sandbox environment's region is us-east-1
        assert result.exit_code == 0, (
            f"{where}:{number}: `{command}` exited {result.exit_code}\n{result.stderr.strip()[-1500:]}"
        )
