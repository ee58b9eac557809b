"""Reliability with real processes: SIGKILL mid-session loses no answer reported as recorded, and the
TUI-like writer and a CLI command writing at the same time never fail with "database is locked"."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

LESSON = """\
---
id: zz-drill
title: Review drill
summary: Questions for the reliability tests.
objectives:
  - Answer quickly
---

## Facts {#facts}

Facts.

::: takeaways
- One.
:::

::: mistakes
- Two.
:::
"""


def write_drill_root(root: Path, count: int = 40) -> Path:
    """A content root with ``count`` single-choice questions whose right answer is always option A."""
    (root / "lessons").mkdir(parents=True)
    (root / "question_bank").mkdir()
    (root / "lessons" / "99-zz-drill.md").write_text(LESSON)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
    items = []
    for n in range(count):
        prompt = f"Drill {n}: pick {words[n % 10]} {words[(n // 10) % 10]} number {n} {'x' * (n % 7)}"
        items.append(
            textwrap.dedent(f"""\
            - id: zz-drill-{n:03d}
              lesson: zz-drill#facts
              domain: {{saa: resilient, clf: technology}}
              type: true_false
              difficulty: 1
              prompt: "{prompt}"
              answer: true
              explanation: It is true.
            """)
        )
    (root / "question_bank" / "zz-drill.yaml").write_text("".join(items))
    return root


def cli_env(tutor_home: Path, content: Path) -> dict[str, str]:
    return {**os.environ, "TUTOR_HOME": str(tutor_home), "TUTOR_CONTENT_PATH": str(content), "PYTHONUNBUFFERED": "1"}


def start_review(env, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tutor", "review", "--lesson", "zz-drill", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def log_count(tutor_home: Path) -> int:
    with sqlite3.connect(tutor_home / "tutor.db") as conn:
        return conn.execute("SELECT count(*) FROM review_log").fetchone()[0]


def test_sigkill_mid_session_keeps_every_answer_shown_as_recorded(tmp_path, tutor_home):
    content = write_drill_root(tmp_path / "content")
    proc = start_review(cli_env(tutor_home, content))
    recorded = 0
    buffer = b""
    deadline = time.monotonic() + 60
    try:
        while recorded < 12 and time.monotonic() < deadline:
            proc.stdin.write(b"t\n\n")
            proc.stdin.flush()
            while recorded < 12:
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                buffer += chunk
                now = buffer.count(b"Recorded as")
                if now > recorded:
                    recorded = now
                    break
        os.kill(proc.pid, signal.SIGKILL)  # no cleanup, no atexit, no flush
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert recorded >= 12, proc.stderr.read().decode()
    assert proc.returncode == -signal.SIGKILL
    assert log_count(tutor_home) >= recorded
    with sqlite3.connect(tutor_home / "tutor.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # every recorded answer also moved its card: the card row and the log committed together
        assert conn.execute("SELECT count(*) FROM card WHERE last_review IS NOT NULL").fetchone()[0] >= recorded


def test_tui_writer_and_cli_writing_at_once_never_see_a_locked_database(tmp_path, tutor_home):
    from tutor.srs import scheduler as sch
    from tutor.srs.config import save_settings

    content = write_drill_root(tmp_path / "content")
    save_settings(daily_new=100)  # creates and migrates the database before the processes race
    env = cli_env(tutor_home, content)
    errors: list[BaseException] = []
    written = []
    stop = threading.Event()

    def tui_like_writer() -> None:  # what the TUI's worker thread does for each answer
        n = 0
        while not stop.is_set():  # keeps writing for as long as the CLI runs
            try:
                rec = sch.record_answer("question", f"tui-{n % 25}", sch.GOOD if n % 3 else sch.AGAIN, 900)
                written.append(rec.log_id)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
                return
            n += 1

    thread = threading.Thread(target=tui_like_writer)
    thread.start()
    review = start_review(env)
    settings = [
        subprocess.Popen(
            [sys.executable, "-m", "tutor", "review", "settings", "--new", str(30 + i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for i in range(3)
    ]
    out, err = review.communicate(b"t\n\n" * 40, timeout=120)
    stop.set()
    thread.join(60)
    outputs = [p.communicate(timeout=60) for p in settings]
    assert not errors, errors
    assert review.returncode == 0, err.decode()
    assert b"database is locked" not in err
    for p, (o, e) in zip(settings, outputs):
        assert p.returncode == 0 and b"locked" not in e, e.decode()
    assert out.count(b"Recorded as") == 40
    assert log_count(tutor_home) == 40 + len(written)
    assert len(written) > 0
