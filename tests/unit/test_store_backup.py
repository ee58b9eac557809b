"""`tutor backup`, the automatic copy before a migration, and `tutor doctor` noticing a damaged database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from tutor.store.db import backup, make_engine, quick_check, sqlite_file, upgrade


def _tutor(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tutor", *args], capture_output=True, text=True, check=False)


def _answers(path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM review_log").fetchone()[0]


def test_backup_copies_the_progress_while_it_is_open(tutor_home):
    from tutor.srs.scheduler import GOOD, record_answer

    for n in range(3):
        record_answer("question", f"q{n}", GOOD, 1000)
    copy = tutor_home / "elsewhere" / "copy.db"
    result = _tutor("backup", str(copy))
    assert result.returncode == 0, result.stderr
    assert str(copy) in result.stdout
    assert _answers(copy) == 3 and quick_check(f"sqlite:///{copy}") == []


def test_a_migration_keeps_a_copy_of_the_database_as_it_was(tutor_home):
    from tutor import paths
    from tutor.store import get_engine

    url = paths.db_url()
    tutor_home.mkdir(parents=True, exist_ok=True)
    old = make_engine(url)
    upgrade(old, "0003")  # a learner's database from an earlier release
    old.dispose()
    get_engine(url)  # opening it migrates to head
    copies = list((tutor_home / "backups").glob("tutor-*-before-migration-from-0003.db"))
    assert len(copies) == 1
    with sqlite3.connect(copies[0]) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0003"


def test_doctor_reports_a_damaged_database(tutor_home):
    from tutor.srs.scheduler import GOOD, record_answer

    for n in range(200):
        record_answer("question", f"question-{n:04d}", GOOD, 1000)
    from tutor.store import get_engine

    get_engine().dispose()
    path = sqlite_file()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page + 100, len(data) - page, page):  # scribble over the middle of later pages
        data[offset : offset + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))
    assert quick_check() != []
    result = _tutor("doctor")
    assert "integrity    DAMAGED" in result.stdout and "tutor backup FILE" in result.stdout
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr


def test_backup_of_a_missing_database_says_so(tutor_home):
    result = _tutor("backup")
    assert result.returncode == 1
    assert "nothing to back up" in result.stderr


def test_automatic_copies_are_rotated(tutor_home):
    from tutor.srs.scheduler import GOOD, record_answer

    record_answer("question", "q", GOOD, 1000)
    for _ in range(8):
        backup(reason="before-migration-from-x")
    assert len(list((tutor_home / "backups").glob("*-before-migration-from-x.db"))) == 5
