"""The real program in a real terminal."""

from __future__ import annotations

import time

import pytest

from tutor.content import load_catalog

pytestmark = pytest.mark.e2e


def test_tutor_opens_home_navigates_and_quits(tui):
    t = tui()
    home = t.wait_for("Welcome to aws-tutor")
    assert "Next step" in t.wait_for("Next step")
    assert "Home h" in home and "Stats s" in home
    first = next(iter(load_catalog().lessons.values()))
    t.press("l")
    t.wait_for(f"1. {first.title[:20]}")  # the table of contents lists chapter 1
    t.press("Enter")
    t.wait_for(first.sections[0].title[:30])  # the reader shows its first section
    t.press("?")
    assert "Keys" in t.wait_for("Keys")
    t.press("Escape")
    t.wait_gone("Esc closes")  # a key sent right after Escape would read as Alt+key
    t.press("s")
    t.wait_for("No statistics yet")
    t.press("q")
    deadline = time.monotonic() + 5
    while t.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not t.alive(), "the app did not exit on q"
