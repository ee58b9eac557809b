"""The `tutor` command as a user types it."""

from __future__ import annotations

import os
import subprocess
import sys

from typer.testing import CliRunner

from tutor import __version__
from tutor.cli.commands import app

runner = CliRunner()


def tutor(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tutor", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        **kw,
    )


def test_version_prints_the_package_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"aws-tutor {__version__}"


def test_validate_passes_on_valid_content_and_counts_it(content_root, monkeypatch):
    monkeypatch.chdir(content_root)
    result = runner.invoke(app, ["validate", str(content_root)])
    assert result.exit_code == 0, result.output
    assert "questions" in result.output and "all valid" in result.output


def test_validate_fails_with_file_and_line(content_root, monkeypatch):
    path = content_root / "question_bank" / "storage.yaml"
    path.write_text(path.read_text().replace("  answer: A\n", "  answer: Z\n", 1))
    monkeypatch.chdir(content_root)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert "question_bank/storage.yaml:9: answer: Value error, answer must be one letter among ABCD" in result.output


def test_validate_only_reports_problems_inside_the_given_path(content_root, monkeypatch):
    lesson = content_root / "lessons" / "02-network.md"
    lesson.write_text(lesson.read_text().replace("## Subnets {#subnets}", "## Subnets"))
    monkeypatch.chdir(content_root)
    result = runner.invoke(app, ["validate", str(content_root / "labs")])
    assert result.exit_code == 0, result.output


def test_wrong_arguments_give_a_short_message_not_a_traceback(tmp_path):
    for args, expected in [
        (["frobnicate"], "No such command 'frobnicate'"),
        (["validate", str(tmp_path / "missing")], "does not exist"),
        (["validate", str(tmp_path)], "is not inside a content folder"),
    ]:
        result = tutor(*args)
        assert result.returncode == 2
        assert expected in result.stderr
        assert "Traceback" not in result.stderr + result.stdout


def test_bare_tutor_without_a_terminal_explains_instead_of_hanging():
    result = tutor()
    assert result.returncode == 2
    assert "needs an interactive terminal" in result.stderr
    assert "tutor validate" in result.stderr
    assert "Traceback" not in result.stderr


def test_doctor_reports_paths_counts_and_schema(tutor_home):
    result = tutor("doctor", env={**os.environ, "TUTOR_HOME": str(tutor_home)})
    assert f"data dir     {tutor_home}" in result.stdout
    assert "counts" in result.stdout and "lessons" in result.stdout
    from tutor.store.db import head_revision

    assert f"schema       {head_revision()}" in result.stdout
    assert "sandbox" in result.stdout


def test_validate_rechecks_references_into_an_edited_file_from_the_cache(content_root):
    """An unchanged file comes from the cache, but what it points at is checked again every run."""
    first = tutor("validate", str(content_root), cwd=content_root)
    assert first.returncode == 0, first.stderr
    lesson = content_root / "lessons" / "01-storage.md"
    lesson.write_text(lesson.read_text().replace("{#buckets}", "{#bucket-basics}"))
    second = tutor("validate", str(content_root), cwd=content_root)
    assert second.returncode == 1
    assert (
        "question_bank/storage.yaml:1: lesson 'storage#buckets' does not resolve to a lesson section" in second.stderr
    )


def test_validate_keeps_reporting_a_broken_file_on_later_runs(content_root):
    path = content_root / "question_bank" / "storage.yaml"
    path.write_text(path.read_text().replace("  answer: A\n", "  answer: Z\n", 1))
    runs = [tutor("validate", "-q", str(content_root), cwd=content_root) for _ in range(2)]
    assert [r.returncode for r in runs] == [1, 1]
    assert runs[0].stderr == runs[1].stderr
    assert "storage.yaml:9: answer: Value error, answer must be one letter among ABCD" in runs[1].stderr


def validate_twice(*args: str) -> list[list[str]]:
    """Two `tutor validate` runs in fresh processes: the exit code, then whether pydantic and YAML were loaded."""
    probe = (
        "import sys; from tutor.cli.validate import main; rc = main(sys.argv[1:]); "
        "print(rc, 'pydantic' in sys.modules, 'yaml' in sys.modules)"
    )
    return [
        subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=60).stdout.split()
        for _ in range(2)
    ]


def test_validate_of_an_unchanged_corpus_reads_no_content(content_root):
    """The cached run needs neither pydantic nor YAML: that is what keeps it fast (bench/validate.py)."""
    assert validate_twice("-q", str(content_root)) == [["0", "True", "True"], ["0", "False", "False"]]


def test_validate_no_cache_parses_every_file_again(content_root):
    assert validate_twice("-q", "--no-cache", str(content_root)) == [["0", "True", "True"], ["0", "True", "True"]]


def test_piping_into_a_reader_that_stops_early_exits_0(tmp_path):
    """`tutor glossary | head -1`: a closed pipe is not an error (the read end is closed before tutor writes)."""
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from tutor.cli.main import run; run()", "glossary"],
            check=False,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "TUTOR_HOME": str(tmp_path)},
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
