"""Scores that reward learning: the first hint asks and says what it costs, weights are shown next to the
checks, and after a pass neither a hint nor the solution lowers the recorded score."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tutor.cli.commands import app

LAB = "sqs-dead-letter"
runner = CliRunner()


@pytest.fixture
def running_lab():
    from tutor.content import load_catalog
    from tutor.grading import session as labs

    catalog = load_catalog()
    result = runner.invoke(app, ["lab", "start", LAB])
    assert result.exit_code == 0, result.output
    yield catalog, labs.require_session(catalog, LAB)
    labs.stop(catalog, LAB)


def test_first_hint_asks_with_its_cost_and_yes_spends_it(running_lab):
    from tutor.store.labs import lab_attempt

    _, session = running_lab
    refused = runner.invoke(app, ["lab", "hint", LAB])  # no terminal to ask on: refuse, say the price
    assert refused.exit_code == 2 and "10%" in refused.output and "--yes" in refused.output
    assert lab_attempt(session.attempt_id).hints_used == 0
    spent = runner.invoke(app, ["lab", "hint", LAB, "--yes"])
    assert spent.exit_code == 0 and spent.output.startswith("Hint 1/")
    second = runner.invoke(app, ["lab", "hint", LAB])  # the price is known now: no question
    assert second.exit_code == 0 and second.output.startswith("Hint 2/")


def test_check_shows_weights_that_add_up_to_the_score(running_lab):
    result = runner.invoke(app, ["lab", "check", LAB])
    lines = result.output.splitlines()
    assert "×2 · 33%" in result.output and "×1 · 17%" in result.output, result.output
    assert lines[-1].startswith("0/5 checks pass (0 of 6 weight)")


def test_after_a_pass_hints_and_the_solution_keep_the_score(running_lab):
    from tutor.grading import session as labs
    from tutor.store.labs import lab_summaries

    catalog, session = running_lab
    runner.invoke(app, ["lab", "hint", LAB, "--yes"])
    labs.apply_solution(session)
    passed = runner.invoke(app, ["lab", "check", LAB])
    assert passed.exit_code == 0 and passed.output.splitlines()[-1].endswith("score 90"), passed.output
    assert "free" in labs.next_hint_cost(catalog, LAB)[1] and "keeps your score" in labs.solution_cost(catalog, LAB)
    assert runner.invoke(app, ["lab", "hint", LAB]).exit_code == 0  # no question after a pass
    assert runner.invoke(app, ["lab", "solution", LAB, "--yes"]).exit_code == 0
    again = runner.invoke(app, ["lab", "check", LAB])
    assert again.output.splitlines()[-1].endswith("score 90"), again.output
    assert lab_summaries()[LAB]["best_score"] == 90


def test_before_a_pass_the_solution_still_costs_the_attempt(running_lab):
    from tutor.grading import session as labs

    catalog, session = running_lab
    assert "score to 0" in labs.solution_cost(catalog, LAB)
    runner.invoke(app, ["lab", "solution", LAB, "--yes"])
    labs.apply_solution(session)
    assert runner.invoke(app, ["lab", "check", LAB]).output.splitlines()[-1].endswith("score 0")
