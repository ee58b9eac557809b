"""Exam fit: task-statement coverage against the profile's weights, and the giveaway figures validate checks."""

from __future__ import annotations

from pathlib import Path

from tutor.cli.validate import main as validate
from tutor.content import load_catalog
from tutor.content.corpus import Entry
from tutor.content.exam_fit import giveaways, is_k_longest, key_rank, report, task_minimums


def question(qid: str, kind: str, options: list[str], answer, prompt: str = "Which one?") -> Entry:
    data = {"type": kind, "options": options, "answer": answer, "prompt": prompt, "task": [], "difficulty": 2}
    return Entry("question", qid, Path("bank.yaml"), 1, data)


def test_key_rank_counts_the_options_longer_than_the_key():
    options = ["a medium one", "the very longest option", "short", "tiny"]
    assert key_rank(options, "B") == 1
    assert key_rank(options, "A") == 2
    assert key_rank(options, "D") == 4
    assert key_rank(["same", "same", "longer"], "A") == 2  # ties share a rank


def test_k_longest_needs_every_key_longer_than_every_distractor():
    assert is_k_longest(["long key one", "long key two", "short", "tiny"], ["A", "B"])
    assert not is_k_longest(["long key one", "k2", "a longer distractor", "tiny"], ["A", "B"])


def by_label(figures):
    return {f.label: f for f in figures}


def test_a_bank_whose_key_is_usually_the_second_longest_is_outside_the_band():
    cued = [
        question(f"q{i}", "single", ["the longest wrong one", "the right one", "wrong", "no"], "B") for i in range(40)
    ]
    figures = by_label(giveaways(cued))
    second = figures["single-answer keys that are the 2nd-longest option"]
    assert second.share == 1.0 and second.outside
    longest = figures["single-answer keys that are the longest option"]
    assert longest.outside
    assert longest.examples == second.examples  # the questions to rebalance are the crowded rank's


def test_balanced_keys_and_small_samples_pass():
    balanced = []
    for i in range(40):
        options = ["aaaa", "bbb", "cc", "d"]
        balanced.append(question(f"q{i}", "single", options, "ABCD"[i % 4]))
    figures = giveaways(balanced)
    assert not any(f.outside for f in figures)
    few = [question(f"t{i}", "true_false", [], False) for i in range(5)]
    true_share = by_label(giveaways(few))["true/false keys that are True"]
    assert true_share.share == 0 and not true_share.outside  # 5 questions are too few to judge


def test_true_false_and_multi_bands():
    tfs = [question(f"t{i}", "true_false", [], i % 3 == 0) for i in range(60)]  # a third True
    multis = [
        question(f"m{i}", "multi", ["long answer one", "long answer two", "x", "y"], ["A", "B"]) for i in range(30)
    ]
    figures = by_label(giveaways(tfs + multis))
    assert figures["true/false keys that are True"].outside
    assert figures["multi-answer keys that are exactly the k longest options"].outside


def test_task_minimum_spreads_the_domain_share_over_its_tasks():
    family = {
        "tasks": {
            "saa-1.1": "secure",
            "saa-1.2": "secure",
            "saa-1.3": "secure",
            "saa-3.1": "performance",
            "saa-3.5": "performance",
        }
    }
    profile = {
        "questions": 65,
        "domain_weights": [("secure", 30), ("performance", 24), ("cost", 46)],
        "task_coverage": {"sittings": 3, "enforce": True},
    }
    # 3 sittings x 65 questions x 30% / 3 tasks = 19.5 -> 20; 3 x 65 x 24% / 2 = 23.4 -> 24
    assert task_minimums(profile, family) == {"saa-1.1": 20, "saa-1.2": 20, "saa-1.3": 20, "saa-3.1": 24, "saa-3.5": 24}
    assert task_minimums({**profile, "task_coverage": None}, family) == {}


COVERAGE = "task_coverage: {sittings: 1, enforce: %s}\n"


def test_short_task_statements_fail_only_when_enforced(content_root):
    exam = content_root / "question_bank" / "exams" / "fixture-quick.yaml"
    exam.write_text(exam.read_text() + COVERAGE % "false")
    catalog = load_catalog([content_root], include_builtin=False)
    assert catalog.problems == []
    lines = report(catalog.index)
    # fixture-quick has 3 questions: resilient 60% over 2 tasks -> 1 each; performance 40% over 2 tasks -> 1 each
    assert (
        lines[0] == "fixture-quick: choice questions per task statement (minimum for 1 sittings, report only: "
        "task_coverage.enforce is false)"
    )
    assert [line.split()[0] for line in lines[1:] if line.endswith("short")] == ["saa-3.1", "saa-3.4"], lines
    assert any(line.startswith("  saa-2.2") and line.endswith("1 / 1  ") for line in lines), lines

    exam.write_text(exam.read_text().replace(COVERAGE % "false", COVERAGE % "true"))
    catalog = load_catalog([content_root], include_builtin=False)
    found = [f"{p.path.name}:{p.line}: {p.message}" for p in catalog.problems]
    assert found == [
        "fixture-quick.yaml:10: task saa-3.1 (Storage) has 0 choice questions; fixture-quick needs 1 (1 sittings)",
        "fixture-quick.yaml:10: task saa-3.4 (Network) has 0 choice questions; fixture-quick needs 1 (1 sittings)",
    ]


def test_validate_prints_the_task_table_and_the_giveaway_figures(capsys):
    assert validate(["-q"]) == 0
    assert capsys.readouterr().out == ""  # -q: problems only
    assert validate([]) == 0
    out = capsys.readouterr().out
    assert "saa-c03: choice questions per task statement" in out and "clf-c02: choice questions" in out
    assert "single-answer keys that are the 2nd-longest option" in out and "exam shape:" in out


def test_the_built_in_bank_is_inside_every_giveaway_band():
    catalog = load_catalog()
    figures = giveaways(catalog.index.by_kind["question"].values())
    assert [f.describe() for f in figures if f.outside] == []
    assert all(f.judged for f in figures if f.band)
