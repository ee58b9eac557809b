"""Sit a quick exam in the real TUI: answer, flag, review before submit, submit, read the results."""

from __future__ import annotations

import pytest

from tutor.content import load_catalog

pytestmark = pytest.mark.e2e


def test_sit_a_quick_exam_with_flags_and_the_review_screen(tui):
    profiles = list(load_catalog().exams)
    t = tui()
    t.wait_for("Welcome to aws-tutor")
    t.press("e")
    t.wait_for("Mock exams")
    t.wait_for("Quick check")
    for _ in range(profiles.index("quick")):
        t.press("Down")
    t.press("Enter")
    t.wait_for("Question 1 of 20")
    t.press("2")  # an answer (or, on a numeric question, a digit in its box)
    t.press("Enter")
    t.wait_for("Question 2 of 20")
    t.press("m")  # flag question 2
    t.wait_for("flagged 1")
    t.press("n")
    t.wait_for("Question 3 of 20")
    t.press("r")
    screen = t.wait_for("Review before you submit")
    assert "flagged" in screen and "unanswered" in screen
    t.press("s")
    t.wait_for("Submit the exam?")
    t.press("s")
    results = t.wait_for("scaled score")
    assert "Design Secure Architectures" in results
    assert "/20 correct" in results
