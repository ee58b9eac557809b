"""`tutor review`, `tutor review optimize|settings`, `tutor stats [--json]`, `tutor export anki`."""

from __future__ import annotations

import json
import random
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from tutor import paths

runner = CliRunner()


@pytest.fixture
def cli(content_root, monkeypatch):
    monkeypatch.setenv("TUTOR_CONTENT_PATH", str(content_root))
    from tutor.cli.commands import app

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input)

    return run


def answers() -> list[tuple[str, int]]:
    with sqlite3.connect(paths.home() / "tutor.db") as conn:
        return conn.execute(
            "SELECT c.item_id, l.rating FROM review_log l JOIN card c ON c.id = l.card_id ORDER BY l.id"
        ).fetchall()


def test_plain_review_reads_answers_from_stdin_and_stops_cleanly_at_eof(cli):
    # storage-003 is true/false (false); the scope keeps the sample questions first
    result = cli("review", "--lesson", "storage#versioning", input="1 3\n\nf\n3\n")
    assert result.exit_code == 0, result.output
    assert "Recorded as" in result.output and "Stopped: 2 answered" in result.output
    assert [r[0] for r in answers()] == ["storage-002", "storage-003"]


def test_plain_review_reprompts_on_a_bad_answer_and_can_undo(cli):
    result = cli("review", "--lesson", "storage#versioning", "--limit", "1", input="zz\n1 3\nu\n")
    assert "pick 2 different options" in result.output or "answer with letters" in result.output
    assert "Undone" in result.output
    assert answers() == []


def test_wrong_arguments_give_a_short_message(cli):
    result = cli("review", "--lesson", "nowhere")
    assert result.exit_code == 2 and "no lesson or section 'nowhere'" in result.output
    assert cli("export", "anki", "deck.txt").exit_code == 2
    assert cli("review", "settings", "--retention", "2").exit_code == 2


def test_settings_show_and_change(cli):
    result = cli("review", "settings", "--new", "7", "--day-starts", "5")
    assert result.exit_code == 0 and "new cards per day  7" in result.output and "05:00" in result.output


def test_stats_json_for_scripts(cli):
    from tutor.srs.scheduler import GOOD, record_answer

    record_answer("question", "storage-001", GOOD, 3000)
    result = cli("stats", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["counts"]["reviews_total"] == 1 and len(data["forecast"]) == 30
    text = cli("stats")
    assert "Mastery by chapter" in text.output and "Due in the next 30 days" in text.output


def test_export_anki_writes_a_package_with_every_question(cli, tmp_path):
    from tutor.srs.scheduler import GOOD, record_answer

    record_answer("question", "storage-001", GOOD, 3000)
    out = tmp_path / "deck.apkg"
    result = cli("export", "anki", str(out))
    assert result.exit_code == 0, result.output
    assert "(1 with your progress)" in result.output
    with zipfile.ZipFile(out) as z:
        assert "collection.anki2" in z.namelist()


def test_optimize_refuses_a_short_log(cli):
    result = cli("review", "optimize")
    assert result.exit_code == 1 and "at least 400 answers" in result.output


def test_optimize_without_the_extra_says_how_to_install_it(cli, monkeypatch):
    monkeypatch.setattr("tutor.srs.optimize.available", lambda: False)
    result = cli("review", "optimize")
    assert result.exit_code == 1 and 'pip install "aws-tutor[optimize]"' in result.output


def test_optimize_fits_the_log_and_adopts_only_a_better_fit():
    import fsrs_rs_python  # noqa: F401 - installed by the test extra: a missing install must fail, not skip

    from tutor.srs.config import load_settings
    from tutor.srs.optimize import optimize
    from tutor.srs.scheduler import AGAIN, EASY, GOOD, HARD, record_answer

    rng = random.Random(1)
    t0 = datetime(2025, 1, 1, 9, tzinfo=UTC)
    for n in range(60):
        at = t0 + timedelta(hours=n)
        for _ in range(8):
            rec = record_answer("question", f"q{n}", rng.choice([AGAIN, HARD, GOOD, GOOD, GOOD, EASY]), 5000, at=at)
            at = rec.due + timedelta(hours=rng.uniform(0, 30))
    result = optimize(min_reviews=400)
    assert result.reviews == 480 and result.items > 0
    assert result.adopted == (result.new_loss < result.current_loss)
    assert (load_settings().parameters is not None) == result.adopted
