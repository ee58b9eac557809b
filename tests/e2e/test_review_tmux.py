"""The real app in tmux: answer a few questions in Review, take one back, then open Stats."""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

LESSON = """\
---
id: zz-e2e
title: Review walkthrough
summary: Questions for the end-to-end test.
objectives:
  - Answer
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


def write_root(root: Path) -> Path:
    (root / "lessons").mkdir(parents=True)
    (root / "question_bank").mkdir()
    (root / "lessons" / "99-zz-e2e.md").write_text(LESSON)
    words = ["amber", "basalt", "cobalt", "dune"]
    (root / "question_bank" / "zz-e2e.yaml").write_text(
        "".join(
            textwrap.dedent(f"""\
        - id: zz-e2e-{n}
          lesson: zz-e2e#facts
          domain: {{saa: resilient, clf: technology}}
          type: true_false
          difficulty: 1
          prompt: "Walkthrough statement {words[n]} is {"true" if n % 2 == 0 else "false"}."
          answer: {"true" if n % 2 == 0 else "false"}
          explanation: "Explanation {words[n]}."
        """)
            for n in range(4)
        )
    )
    return root


def test_answer_questions_undo_and_open_stats(tui, tmp_path, tutor_home):
    from tutor.store.progress import mark_read

    content = write_root(tmp_path / "content")
    mark_read("zz-e2e", "facts")  # sections read come first among new cards
    t = tui(TUTOR_CONTENT_PATH=str(content))
    t.wait_for("Welcome to aws-tutor")
    t.press("r")
    t.wait_for("Walkthrough statement amber", timeout=20)
    assert "Press t (true) or f (false)" in t.screen()
    t.press("t")
    t.wait_for("Recorded as Good")
    t.wait_for("Explanation amber")  # the explanation is Markdown, rendered a moment later
    assert "Correct" in t.screen()
    t.press("Space")
    t.wait_for("Walkthrough statement basalt")
    t.press("t")  # wrong: basalt is false
    t.wait_for("Recorded as Again")
    t.wait_for("Not quite")
    t.press("4")  # the learner overrides
    t.wait_for("Recorded as Easy")
    t.press("u")  # and takes the answer back
    t.wait_gone("Recorded as Easy")
    t.wait_for("Walkthrough statement basalt")
    t.press("f")
    t.wait_for("Recorded as Good")
    assert "2 answered, 2 right" in t.screen()
    t.press("Space")
    t.wait_for("Walkthrough statement cobalt")
    t.press("Escape")
    t.wait_for("Session paused")
    with sqlite3.connect(tutor_home / "tutor.db") as conn:
        rows = conn.execute(
            "SELECT c.item_id, l.rating FROM review_log l JOIN card c ON c.id = l.card_id ORDER BY l.id"
        ).fetchall()
    assert rows == [("zz-e2e-0", 3), ("zz-e2e-1", 3)]
    t.press("s")
    screen = t.wait_for("True retention", timeout=20)
    assert "2 learning" in screen  # both answers reached the store (mastery is checked by the Pilot stats tests)
